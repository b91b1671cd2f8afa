/** The callback metrics, named once: the function writes them (EMF), the monitoring reads them. */

/** How a callback ended: the `outcome` dimension of the Callbacks metric. */
export const OUTCOMES = ['enqueued', 'ignored', 'quarantined', 'refused', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The namespace of a function alone; the construct gives each receiver its own below it. */
export const METRICS_NAMESPACE = 'ZegoCallbacks';

/** One per callback, with dimensions among `outcome`, `event` and `reason`. */
export const CALLBACKS_METRIC = 'Callbacks';
/** The handler's own latency per callback, in milliseconds. */
export const LATENCY_METRIC = 'Latency';
