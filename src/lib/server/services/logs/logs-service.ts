/**
 * Reading the recent log lines of this process (the ring of `logger.ts`) for the Logs page and
 * `GET /api/v1/logs`: filters, the live tail (`after`) and older pages (`before`).
 *
 * Only this process's lines: with several replicas on one database, each answers with its own.
 */
import * as v from 'valibot';
import { currentLogLevel, logRing } from '$lib/server/logger';
import type { LogRing, RingEntry } from '$lib/server/log-ring';
import {
	LOG_LEVEL_NAMES,
	LOG_LEVEL_VALUES,
	LOGS_DEFAULT_LIMIT,
	LOGS_MAX_LIMIT,
	LOGS_MAX_QUERY,
	levelName,
	type LogLevelName,
	type LogLine,
	type LogsPage
} from '$lib/types/logs';

/** A sequence number in a query string. */
const seqParam = (name: string, min: number) =>
	v.pipe(
		v.string(),
		v.regex(/^\d{1,15}$/, `${name} must be a line number (a whole number).`),
		v.transform(Number),
		v.minValue(min, `${name} must be at least ${min}.`)
	);

const emptyToUndefined = (value: unknown) =>
	typeof value === 'string' && value.trim() === '' ? undefined : value;

/** The query of `GET /api/v1/logs` (every value a string, as in a URL). */
export const LogsQuerySchema = v.object({
	level: v.optional(
		v.pipe(
			v.unknown(),
			v.transform(emptyToUndefined),
			v.optional(v.picklist(LOG_LEVEL_NAMES, `level must be one of ${LOG_LEVEL_NAMES.join(', ')}.`))
		)
	),
	module: v.optional(
		v.pipe(
			v.unknown(),
			v.transform(emptyToUndefined),
			v.optional(
				v.pipe(
					v.string(),
					v.trim(),
					v.regex(
						/^[A-Za-z0-9_.:-]{1,64}$/,
						'module must be a module name (letters, digits, . _ : -).'
					)
				)
			)
		)
	),
	q: v.optional(
		v.pipe(
			v.string(),
			v.trim(),
			v.maxLength(LOGS_MAX_QUERY, `q must be at most ${LOGS_MAX_QUERY} characters.`)
		)
	),
	after: v.optional(seqParam('after', 0)),
	before: v.optional(seqParam('before', 1)),
	limit: v.optional(
		v.pipe(
			v.string(),
			v.regex(/^\d{1,5}$/, 'limit must be a whole number.'),
			v.transform(Number),
			v.minValue(1, 'limit must be at least 1.'),
			v.maxValue(LOGS_MAX_LIMIT, `limit must be at most ${LOGS_MAX_LIMIT}.`)
		)
	)
});

/** A parsed query: every filter optional. */
export interface LogsQuery {
	/** That level and above. */
	level?: LogLevelName;
	/** Exactly this module. */
	module?: string;
	/** Case-insensitive text anywhere in the line (message, field names and values). */
	q?: string;
	/** Only lines written after this sequence number (oldest of them first when capped). */
	after?: number;
	/** Only lines older than this sequence number. */
	before?: number;
	/** At most this many lines (1–1000, default 200). */
	limit?: number;
}

/**
 * Parses the URL query of `GET /api/v1/logs` (unknown parameters ignored).
 * @throws valibot's ValiError naming the field (→ 400 `validation.failed` through `jsonError`).
 */
export function parseLogsQuery(params: URLSearchParams): LogsQuery {
	const known = ['level', 'module', 'q', 'after', 'before', 'limit'] as const;
	const input: Record<string, string> = {};
	for (const name of known) {
		const value = params.get(name);
		if (value !== null) input[name] = value;
	}
	const parsed = v.parse(LogsQuerySchema, input);
	const query: LogsQuery = {};
	if (parsed.level !== undefined) query.level = parsed.level;
	if (parsed.module !== undefined) query.module = parsed.module;
	if (parsed.q) query.q = parsed.q;
	if (parsed.after !== undefined) query.after = parsed.after;
	if (parsed.before !== undefined) query.before = parsed.before;
	if (parsed.limit !== undefined) query.limit = parsed.limit;
	return query;
}

/** Fields every line has, served apart from `rest`; `app` is the same on every line. */
const STANDARD_FIELDS = new Set(['time', 'level', 'module', 'cid', 'msg', 'app']);

/** One kept line as served. */
export function toLogLine(entry: RingEntry): LogLine {
	let fields: Record<string, unknown> = {};
	try {
		const parsed: unknown = JSON.parse(entry.line);
		if (parsed && typeof parsed === 'object') fields = parsed as Record<string, unknown>;
	} catch {
		fields = { msg: entry.line };
	}
	const rest: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(fields)) {
		if (!STANDARD_FIELDS.has(key)) rest[key] = value;
	}
	return {
		seq: entry.seq,
		time: new Date(entry.time).toISOString(),
		level: levelName(entry.level),
		module: entry.module,
		cid: entry.cid,
		msg: typeof fields.msg === 'string' ? fields.msg : '',
		rest
	};
}

/** A predicate for the filters of `query`. */
function matcher(query: LogsQuery): (entry: RingEntry) => boolean {
	const minLevel = query.level ? LOG_LEVEL_VALUES[query.level] : 0;
	const text = query.q?.toLowerCase();
	return (entry) =>
		entry.level >= minLevel &&
		(query.module === undefined || entry.module === query.module) &&
		(text === undefined || entry.line.toLowerCase().includes(text));
}

/**
 * The lines of `ring` that match `query`, newest first.
 * - Without `after`: the newest `limit` matching lines (older than `before` when given), and
 *   `nextBefore` for the page before them.
 * - With `after`: the matching lines written after it (and before `before`), at most `limit`; when
 *   more are waiting, the oldest of them, so a tail that falls behind catches up without a gap
 *   (`nextAfter` is then the newest line returned). An `after` beyond the newest line (the process
 *   restarted and counts from 1 again) finds nothing and `nextAfter` comes back below it: start
 *   over without `after`.
 */
export function queryLogs(query: LogsQuery, ring: LogRing = logRing): LogsPage {
	const limit = query.limit ?? LOGS_DEFAULT_LIMIT;
	const matches = matcher(query);
	const last = ring.lastSeq;
	const upper = query.before === undefined ? last : Math.min(last, query.before - 1);
	const found: RingEntry[] = [];
	let nextAfter = last;
	let nextBefore: number | null = null;
	if (query.after !== undefined) {
		for (const entry of ring.ascending(query.after + 1, upper)) {
			if (!matches(entry)) continue;
			if (found.length === limit) {
				nextAfter = found[found.length - 1]?.seq ?? last;
				break;
			}
			found.push(entry);
		}
		found.reverse();
	} else {
		for (const entry of ring.descending(upper)) {
			if (!matches(entry)) continue;
			if (found.length === limit) {
				nextBefore = found[found.length - 1]?.seq ?? null;
				break;
			}
			found.push(entry);
		}
	}
	return {
		lines: found.map(toLogLine),
		nextAfter,
		nextBefore,
		modules: ring.modules(),
		recordingLevel: currentLogLevel(),
		oldestSeq: ring.oldestSeq,
		capacity: { lines: ring.maxLines, bytes: ring.maxBytes }
	};
}

/** An answer without lines (the page while its filters are invalid): modules, level, bounds. */
export function emptyLogsPage(ring: LogRing = logRing): LogsPage {
	return {
		lines: [],
		nextAfter: ring.lastSeq,
		nextBefore: null,
		modules: ring.modules(),
		recordingLevel: currentLogLevel(),
		oldestSeq: ring.oldestSeq,
		capacity: { lines: ring.maxLines, bytes: ring.maxBytes }
	};
}
