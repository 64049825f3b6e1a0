import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { redactLogLine, redactText } from '@rdpfix/observability/redaction';

function redact(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value instanceof Error) {
    const copy = new Error(redactText(value.message));
    copy.name = value.name;
    copy.stack = value.stack ? redactText(value.stack) : undefined;
    return copy;
  }
  if (value && typeof value === 'object') {
    try {
      return JSON.parse(redactLogLine(JSON.stringify(value)));
    } catch {
      return '[unserializable]';
    }
  }
  return value;
}

/** Nest's console logger with every message, object and stack redacted before it is printed. */
export class RedactingConsoleLogger extends ConsoleLogger {
  protected override printMessages(messages: unknown[], context?: string, logLevel?: LogLevel, writeStreamType?: 'stdout' | 'stderr', errorStack?: unknown): void {
    super.printMessages(messages.map(redact), context, logLevel, writeStreamType, redact(errorStack));
  }
}
