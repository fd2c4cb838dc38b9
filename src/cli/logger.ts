import { pino } from 'pino';

/** Structured JSON logs on stderr (stdout stays free for command output). */
export function createLogger(level = process.env.SPC_LOG_LEVEL ?? 'info') {
  const logger = pino({ level, base: { service: 'spc-guard' } }, pino.destination(2));
  return {
    logger,
    /** The (level, message, fields) form the adapters and services take. */
    log: (lvl: 'info' | 'warn' | 'error', msg: string, extra: Record<string, unknown> = {}) => logger[lvl](extra, msg),
  };
}
