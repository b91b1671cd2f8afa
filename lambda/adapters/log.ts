import type { CallEvent } from '../core/callback.js';
import type { FailureReason } from '../core/errors.js';
import { METRICS_NAMESPACE, type Outcome } from '../metrics.js';
import { type LogLevel, SETTINGS } from '../settings.js';

const RANK: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

export type { Outcome };

/** What is known of one callback once it is answered. Named fields only: never a raw body. */
export interface CallbackRecord {
  readonly outcome: Outcome;
  readonly status: number;
  /**
   * The metric dimension: a known event, `unknown`, or (when absent) `unverified`. Never the
   * name as sent, which would let any caller with one captured signature mint metric series.
   */
  readonly event?: CallEvent | 'unknown' | undefined;
  /** ZEGOCLOUD's event name as sent, when it is not a known one: the log line only. */
  readonly rawEvent?: string | undefined;
  readonly appId?: number | undefined;
  readonly callId?: string | undefined;
  readonly id?: string | undefined;
  readonly messageId?: string | undefined;
  readonly reason?: FailureReason | undefined;
  readonly error?: string | undefined;
  readonly cause?: string | undefined;
  /** API Gateway's request ID: the correlation ID with the access log. */
  readonly requestId?: string | undefined;
  readonly latencyMs: number;
}

export interface Logger {
  /** One line per callback, carrying its metrics whatever the log level. */
  callback(record: CallbackRecord): void;
}

const LEVEL_OF: Record<Outcome, LogLevel> = {
  enqueued: 'INFO',
  ignored: 'INFO',
  quarantined: 'WARN',
  refused: 'WARN',
  failed: 'ERROR',
};

/** Every field of a callback line: each of the record's (latency excepted) and the line's own. */
type LineFields = { [K in Exclude<keyof CallbackRecord, 'latencyMs'>]-?: unknown } & {
  [K in 'timestamp' | 'level' | 'message' | 'Callbacks' | 'Latency']: unknown;
};

/**
 * One JSON object per line on stdout, which CloudWatch Logs stores as is and Logs Insights
 * queries by field. The callback line is also a CloudWatch Embedded Metric Format document:
 * the metrics cost no API call, and the dimensions are the log's own fields.
 */
export class JsonLogger implements Logger {
  /** The EMF directives never change: serialized once, not on every callback. */
  private readonly directives: string;

  constructor(
    private readonly level: LogLevel = SETTINGS.logLevel.default,
    namespace: string = METRICS_NAMESPACE,
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {
    const CloudWatchMetrics = [
      {
        Namespace: namespace,
        // [] gives the total, which the optional no-callbacks alarm watches.
        Dimensions: [[], ['event'], ['outcome'], ['outcome', 'event'], ['outcome', 'reason']],
        Metrics: [{ Name: 'Callbacks', Unit: 'Count' }],
      },
      {
        Namespace: namespace,
        Dimensions: [[]],
        Metrics: [{ Name: 'Latency', Unit: 'Milliseconds' }],
      },
    ];
    this.directives = JSON.stringify({ CloudWatchMetrics }).slice(1, -1);
  }

  callback(record: CallbackRecord): void {
    const now = Date.now();
    const level = LEVEL_OF[record.outcome];
    // Dimension values must be strings: an unverified callback's event is not trusted.
    const event = record.event ?? 'unverified';
    const reason = record.reason ?? 'none';
    // Below the log level the line shrinks to its metrics: counts never depend on verbosity.
    // Every field named (LineFields fails to compile if one is left out): no object copied.
    const fields =
      RANK[level] < RANK[this.level]
        ? { outcome: record.outcome, event, reason, Callbacks: 1, Latency: record.latencyMs }
        : ({
            timestamp: new Date(now).toISOString(),
            level,
            message: 'callback',
            outcome: record.outcome,
            status: record.status,
            event,
            rawEvent: clip(record.rawEvent),
            appId: record.appId,
            callId: clip(record.callId),
            id: record.id,
            messageId: record.messageId,
            reason,
            error: record.error,
            cause: record.cause,
            requestId: record.requestId,
            Callbacks: 1,
            // The latency goes out once, as the metric.
            Latency: record.latencyMs,
          } satisfies LineFields);
    const json = JSON.stringify(fields);
    this.write(`${json.slice(0, -1)},"_aws":{"Timestamp":${now},${this.directives}}}\n`);
  }
}

/**
 * Values taken from a body: ZEGOCLOUD's are short (call IDs of 19 digits), but a body that only
 * carries a captured signature can make them 64 KiB. The log keeps their start.
 */
const MAX_LOGGED_CHARS = 128;
function clip(value: string | undefined): string | undefined {
  return value !== undefined && value.length > MAX_LOGGED_CHARS
    ? `${value.slice(0, MAX_LOGGED_CHARS)}…`
    : value;
}
