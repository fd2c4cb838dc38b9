import { pino } from 'pino';
import { redactCredentials, redactFields } from '../auth/redact.js';

/** Structured JSON logs on stderr (stdout stays free for command output); credentials in URLs are redacted. */
export function createLogger(level = process.env.SPC_LOG_LEVEL ?? 'info') {
  const logger = pino({
    level, base: { service: 'spc-guard' },
    hooks: {
      logMethod(args, method) {
        return method.apply(this, args.map((a) => (typeof a === 'string' ? redactCredentials(a) : redactFields(a))) as Parameters<typeof method>);
      },
    },
  }, pino.destination(2));
  return {
    logger,
    /** The (level, message, fields) form the adapters and services take. */
    log: (lvl: 'info' | 'warn' | 'error', msg: string, extra: Record<string, unknown> = {}) => logger[lvl](extra, msg),
  };
}
