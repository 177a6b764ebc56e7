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

/**
 * Every logger derived from `logger`, weakly held. In pino 10 a child without a level of its own
 * follows its parent, but one created with a `level` option (or given one later) keeps its own
 * for good: a level change is applied to each of them so it reaches every logger.
 */
const descendants = new Set<WeakRef<Logger>>();
const forget = new FinalizationRegistry<WeakRef<Logger>>((ref) => descendants.delete(ref));

export const logger: Logger = pino(
	{
		level: process.env.LOG_LEVEL || (process.env.VITEST ? 'silent' : 'info'),
		// Inherited by every child and grandchild (pino's `child` copies it), so all are tracked.
		onChild: (child) => {
			const ref = new WeakRef(child);
			descendants.add(ref);
			forget.register(child, ref);
		},
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

/**
 * Sets the level of the root logger and of every logger derived from it (Settings → General →
 * log level), effective for the next log call everywhere in this process. Other replicas apply a
 * stored level when they start.
 * @param level a pino level name (`trace`, `debug`, `info`, `warn`, `error`, `fatal`, `silent`).
 */
export function setLogLevel(level: pino.LevelWithSilent): void {
	logger.level = level;
	for (const ref of descendants) {
		const child = ref.deref();
		if (child) child.level = level;
		else descendants.delete(ref);
	}
}
