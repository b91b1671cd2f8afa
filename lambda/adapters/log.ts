import type { FailureReason } from '../core/errors.js';
import type { LogLevel } from './config.js';

const RANK: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export type Outcome = 'enqueued' | 'ignored' | 'refused' | 'failed';

/** What is known of one callback once it is answered. Named fields only: never a raw body. */
export interface CallbackRecord {
  readonly outcome: Outcome;
  readonly status: number;
  /** Only once the signature is verified; an unverified body's claims are not recorded. */
  readonly event?: string | undefined;
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
  log(level: LogLevel, message: string, fields?: LogFields): void;
  /** One line per callback, carrying its metrics whatever the log level. */
  callback(record: CallbackRecord): void;
}

export const DEFAULT_METRICS_NAMESPACE = 'ZegoCallbacks';

const LEVEL_OF: Record<Outcome, LogLevel> = {
  enqueued: 'INFO',
  ignored: 'INFO',
  refused: 'WARN',
  failed: 'ERROR',
};

/**
 * One JSON object per line on stdout, which CloudWatch Logs stores as is and Logs Insights
 * queries by field. The callback line is also a CloudWatch Embedded Metric Format document:
 * the metrics cost no API call, and the dimensions are the log's own fields.
 */
export class JsonLogger implements Logger {
  constructor(
    private readonly level: LogLevel = 'INFO',
    private readonly namespace: string = DEFAULT_METRICS_NAMESPACE,
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {}

  log(level: LogLevel, message: string, fields: LogFields = {}): void {
    if (RANK[level] < RANK[this.level]) return;
    this.write(
      `${JSON.stringify({ timestamp: new Date().toISOString(), level, message, ...fields })}\n`,
    );
  }

  callback(record: CallbackRecord): void {
    const now = Date.now();
    const metrics = {
      _aws: {
        Timestamp: now,
        CloudWatchMetrics: [
          {
            Namespace: this.namespace,
            // [] gives the total, which the optional no-callbacks alarm watches.
            Dimensions: [[], ['event'], ['outcome'], ['outcome', 'event'], ['outcome', 'reason']],
            Metrics: [{ Name: 'Callbacks', Unit: 'Count' }],
          },
          {
            Namespace: this.namespace,
            Dimensions: [[]],
            Metrics: [{ Name: 'Latency', Unit: 'Milliseconds' }],
          },
        ],
      },
      outcome: record.outcome,
      event: record.event ?? 'unverified',
      reason: record.reason ?? 'none',
      Callbacks: 1,
      Latency: record.latencyMs,
    };
    // The latency goes out once, as the metric.
    const { latencyMs: _latency, ...fields } = record;
    const level = LEVEL_OF[record.outcome];
    // Below the log level the line shrinks to its metrics: counts never depend on verbosity.
    const line =
      RANK[level] < RANK[this.level]
        ? metrics
        : {
            timestamp: new Date(now).toISOString(),
            level,
            message: 'callback',
            ...fields,
            ...metrics,
          };
    this.write(`${JSON.stringify(line)}\n`);
  }
}
