/** The process logger: JSON lines (pino); quiet under tests unless LOG_LEVEL says otherwise. */
import { pino, type Logger } from 'pino';

export type { Logger };

/** Creates the root logger. Child loggers carry request and document ids. */
export function createLogger(env: Record<string, string | undefined> = process.env): Logger {
  const level = env.LOG_LEVEL ?? (env.VITEST ? 'silent' : 'info');
  return pino({ level, base: { service: 'verso' } });
}
