/**
 * Structured JSON logging (one line per event on stdout) with pino.
 *
 * pino's worker-thread transports misbehave under Bun (DESIGN.md pitfalls), so the logger writes
 * synchronously to file descriptor 1. Child loggers carry `module` and, where there is one, a
 * correlation id (`cid`). Secrets are redacted by path as a second line of defence: callers must
 * still never pass an API key, password or token to a log call.
 */
import pino from 'pino';

export type Logger = pino.Logger;

const REDACT = [
	'apiKey',
	'*.apiKey',
	'password',
	'*.password',
	'headers["x-api-key"]',
	'*.headers["x-api-key"]',
	'token',
	'*.token'
];

export const logger: Logger = pino(
	{
		level: process.env.LOG_LEVEL || (process.env.VITEST ? 'silent' : 'info'),
		base: { app: 'comradarr' },
		redact: { paths: REDACT, censor: '[redacted]' },
		timestamp: pino.stdTimeFunctions.isoTime
	},
	pino.destination({ dest: 1, sync: true })
);

/** A child logger for one module, e.g. `moduleLogger('sync')`. */
export function moduleLogger(module: string, bindings: Record<string, unknown> = {}): Logger {
	return logger.child({ module, ...bindings });
}
