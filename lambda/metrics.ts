/**
 * The callback metrics, named once: the function writes them (adapters/log.ts, as Embedded
 * Metric Format) and the monitoring construct alarms and draws on them. No imports: lib/ reads
 * this file without pulling the function's adapters in.
 */

/** How a callback ended: the `outcome` dimension of the Callbacks metric. */
export const OUTCOMES = ['enqueued', 'ignored', 'quarantined', 'refused', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The namespace of a function alone; the construct gives each receiver its own below it. */
export const METRICS_NAMESPACE = 'ZegoCallbacks';

/** One per callback, with dimensions among `outcome`, `event` and `reason`. */
export const CALLBACKS_METRIC = 'Callbacks';
/** The handler's own latency per callback, in milliseconds. */
export const LATENCY_METRIC = 'Latency';
