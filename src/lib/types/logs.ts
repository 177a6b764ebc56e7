/**
 * The Logs page and `GET /api/v1/logs`: the recent log lines of the process that answers.
 * Shared by the server (services/logs) and the browser.
 */

/** pino's level names with their numbers (pino docs, "Logger Instance" → `levels`). */
export const LOG_LEVEL_VALUES = {
	trace: 10,
	debug: 20,
	info: 30,
	warn: 40,
	error: 50,
	fatal: 60
} as const;

export type LogLevelName = keyof typeof LOG_LEVEL_VALUES;

/** The level names in ascending order of severity. */
export const LOG_LEVEL_NAMES = Object.keys(LOG_LEVEL_VALUES) as LogLevelName[];

/** The name of a numeric pino level (a custom number: the nearest name below it). */
export function levelName(level: number): LogLevelName {
	let name: LogLevelName = 'trace';
	for (const candidate of LOG_LEVEL_NAMES) {
		if (LOG_LEVEL_VALUES[candidate] <= level) name = candidate;
	}
	return name;
}

/** One log line as served: the standard fields plus every other field of the line in `rest`. */
export interface LogLine {
	/** Sequence number in this process (1, 2, 3… in the order written). */
	seq: number;
	/** ISO 8601 UTC. */
	time: string;
	level: LogLevelName;
	/** The module of the child logger that wrote it, null for the root logger. */
	module: string | null;
	/** Correlation id: a request's `X-Request-Id` or `job:<runId>`; null outside both. */
	cid: string | null;
	msg: string;
	/** The line's other fields (err, connectorId, …), as logged (secrets already redacted). */
	rest: Record<string, unknown>;
}

/** `GET /api/v1/logs` and the Logs page's data. */
export interface LogsPage {
	/** Newest first. */
	lines: LogLine[];
	/**
	 * Pass as `after` to get only lines written after this answer (the live tail): the newest
	 * sequence number looked at, so lines filtered out are not looked at again.
	 */
	nextAfter: number;
	/** Pass as `before` to get older matching lines; null when there are none left in memory. */
	nextBefore: number | null;
	/** Every module name that wrote a line in this process, sorted. */
	modules: string[];
	/** The level lines are written at now: lines below it are not recorded at all. */
	recordingLevel: string;
	/** The sequence number of the oldest line still kept (older ones were dropped). */
	oldestSeq: number;
	/** The bounds of the ring: lines, bytes of line text. */
	capacity: { lines: number; bytes: number };
}

/** The most lines one answer carries. */
export const LOGS_MAX_LIMIT = 1000;
/** Lines per answer when `limit` is not given. */
export const LOGS_DEFAULT_LIMIT = 200;
/** The longest text filter accepted. */
export const LOGS_MAX_QUERY = 200;
