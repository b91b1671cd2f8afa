import type { LogLevel } from './config.js';

const RANK: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

/**
 * One JSON object per line on stdout, which CloudWatch Logs stores as is and Logs Insights
 * queries by field. Callers pass named fields only; nothing here ever sees a raw body.
 */
export class JsonLogger implements Logger {
  constructor(
    private readonly level: LogLevel = 'INFO',
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {}

  log(level: LogLevel, message: string, fields: LogFields = {}): void {
    if (RANK[level] < RANK[this.level]) return;
    this.write(
      `${JSON.stringify({ timestamp: new Date().toISOString(), level, message, ...fields })}\n`,
    );
  }
}
