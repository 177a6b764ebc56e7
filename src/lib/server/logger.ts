/**
 * Structured JSON logging (one line per event on stdout) with pino.
 *
 * pino's worker-thread transports misbehave under Bun (DESIGN.md pitfalls), so the logger writes
 * synchronously to file descriptor 1. Child loggers carry `module` and, where there is one, a
 * correlation id (`cid`). Secrets are redacted by path as a second line of defence: callers must
 * still never pass an API key, password or token to a log call.
 *
 * The correlation id of the work in progress — a request's `X-Request-Id`, a job run's `job:<id>` —
 * reaches every log line written inside it, whatever module writes it: `withCorrelation` keeps it in
 * an AsyncLocalStorage and a pino mixin adds it as `cid` (a `cid` passed to the log call wins).
 *
 * Errors logged under `err`, `error` or `cause` go through `safeError`, which keeps what helps a
 * maintainer (type, message, stack, SQLSTATE, table/constraint names, our own error fields) and
 * drops the values a failed query was run with: drizzle's `DrizzleQueryError` carries `params` and
 * repeats them in its message ("Failed query: … params: admin,hunter2"), and PostgreSQL quotes the
 * offending value in messages and details (`invalid input syntax for type integer: "hunter2"`,
 * `Key (username)=(hunter2) already exists.`). A password typed into the username field must not
 * end up in the log.
 *
 * Besides stdout, every line goes into `logRing` (log-ring.ts): the most recent 5,000 lines or
 * 5 MiB of line text, whichever is reached first, for the Logs page and `GET /api/v1/logs`. Both
 * are written synchronously in the calling thread (no worker-thread transport).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';
import { LogRing } from './log-ring';

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

/** Property names that hold the values a query ran with (drizzle, Bun SQL, node-postgres…). */
const PARAMETER_KEYS = new Set(['params', 'parameters', 'values', 'bindings']);
/** How deep a `cause` chain is followed. */
const MAX_CAUSES = 5;
/** Parameter values shorter than this are not searched for (they cannot hide a secret). */
const MIN_REDACTED_VALUE = 3;
const REDACTED = '[redacted]';

/** Whether `error` came from the PostgreSQL server (Bun SQL's `PostgresError`, SQLSTATE errno). */
function isDatabaseError(error: Record<string, unknown>): boolean {
	return (
		error.name === 'PostgresError' ||
		(typeof error.errno === 'string' && /^[0-9A-Z]{5}$/.test(error.errno))
	);
}

/** The string parameters of every query error in a cause chain. */
function parameterValues(error: unknown): string[] {
	const values: string[] = [];
	let current: unknown = error;
	for (let depth = 0; depth <= MAX_CAUSES && current && typeof current === 'object'; depth++) {
		for (const key of PARAMETER_KEYS) {
			const list = (current as Record<string, unknown>)[key];
			if (!Array.isArray(list)) continue;
			for (const value of list) {
				const text = typeof value === 'string' ? value : null;
				if (text !== null && text.length >= MIN_REDACTED_VALUE) values.push(text);
			}
		}
		current = (current as { cause?: unknown }).cause;
	}
	// Longest first, so a value containing another is blanked whole.
	return values.sort((a, b) => b.length - a.length);
}

/**
 * `text` without query parameters: drizzle's "params: …" tail (up to the first stack frame) and
 * any of `values` that occurs in it.
 */
function scrubText(text: string, values: readonly string[] = []): string {
	let scrubbed = text.replace(/\nparams: [\s\S]*?(?=\n\s+at |$)/, `\nparams: ${REDACTED}`);
	for (const value of values) scrubbed = scrubbed.replaceAll(value, REDACTED);
	return scrubbed;
}

/** A PostgreSQL message or detail without the data values it quotes. */
function scrubDatabaseText(text: string): string {
	return (
		text
			// `invalid input syntax for type integer: "…"`, `invalid input value for enum x: "…"`
			.replace(/: "(?:[^"]|"")*"/g, `: "${REDACTED}"`)
			// `value "…" is out of range for type integer`
			.replace(/^value "(?:[^"]|"")*"/, `value "${REDACTED}"`)
			// `Key (username)=(…) already exists.`
			.replace(/\)=\((?:[^()]|\([^()]*\))*\)/g, `)=(${REDACTED})`)
			// `Failing row contains (…).`
			.replace(/Failing row contains \([\s\S]*\)/, `Failing row contains (${REDACTED})`)
			// `unnamed portal parameter $1 = '…'` (when the server logs parameter values)
			.replace(/(parameter \$\d+ = )'(?:[^']|'')*'/g, `$1'${REDACTED}'`)
	);
}

/**
 * An error (or an error message logged as a string) as a log-safe object: enumerable own fields
 * and the `cause` chain kept, query parameters dropped and blanked wherever they are repeated.
 */
export function safeError(error: unknown): unknown {
	const values = parameterValues(error);
	const serialize = (value: unknown, depth: number): unknown => {
		// An error logged as its message string may be the server's: scrub it as one.
		if (typeof value === 'string') return scrubDatabaseText(scrubText(value, values));
		if (!value || typeof value !== 'object') return value;
		const source = value as Record<string, unknown>;
		const database = isDatabaseError(source);
		const text = (input: unknown) => {
			if (typeof input !== 'string') return input;
			const scrubbed = scrubText(input, values);
			return database ? scrubDatabaseText(scrubbed) : scrubbed;
		};
		const out: Record<string, unknown> = {};
		if (value instanceof Error) {
			out.type = value.constructor.name;
			out.message = text(value.message);
			out.stack = text(value.stack);
		}
		for (const [key, field] of Object.entries(source)) {
			if (PARAMETER_KEYS.has(key) || key === 'cause') continue;
			out[key] = typeof field === 'string' ? text(field) : field;
		}
		const cause = (value as { cause?: unknown }).cause;
		if (cause !== undefined && depth < MAX_CAUSES) out.cause = serialize(cause, depth + 1);
		return out;
	};
	return serialize(error, 0);
}

/**
 * The message of `error` with its query parameters blanked (see `safeError`), for anything shown
 * to a user or kept in a status (a job's last error, a sync report): a failed query's message
 * repeats the values it ran with.
 */
export function safeErrorMessage(error: unknown): string {
	const safe = safeError(error);
	if (typeof safe === 'string') return safe;
	const message = (safe as { message?: unknown } | null)?.message;
	return typeof message === 'string' ? message : String(safe);
}

/**
 * pino uses an Error's message as the line's `msg` when it is logged on its own
 * (`log.error(error)`), and that message is not serialized: give pino the scrubbed one. Other
 * message strings are scrubbed of the parameters of the error logged with them.
 */
function scrubLogArguments(args: unknown[]): unknown[] {
	const [first, ...rest] = args;
	if (first instanceof Error) {
		const message = typeof rest[0] === 'string' ? rest.shift() : undefined;
		const safe = safeError(first) as { message?: unknown };
		const fallback = typeof safe.message === 'string' ? safe.message : '';
		const values = parameterValues(first);
		return [
			{ err: first },
			typeof message === 'string' ? scrubText(message, values) : fallback,
			...rest
		];
	}
	const carried =
		first && typeof first === 'object'
			? ((first as { err?: unknown; error?: unknown }).err ?? (first as { error?: unknown }).error)
			: undefined;
	const values = parameterValues(carried);
	return args.map((arg) => (typeof arg === 'string' ? scrubText(arg, values) : arg));
}

/** What the current code runs for: its correlation id and, inside a request, the request's id. */
interface Correlation {
	cid: string;
	requestId?: string;
}

/** The correlation of the request or job run the current code runs for. */
const correlation = new AsyncLocalStorage<Correlation>();

/**
 * Runs `work` with `cid` as the correlation id of every line logged inside it (including in
 * promises and timers it starts). Nested calls replace the id for their own extent; a request id
 * set outside stays in force (`currentRequestId`).
 */
export function withCorrelation<T>(cid: string, work: () => T): T {
	const requestId = correlation.getStore()?.requestId;
	return correlation.run(requestId === undefined ? { cid } : { cid, requestId }, work);
}

/**
 * Runs `work` as the handling of the request `requestId` (the `X-Request-Id` it is answered
 * with): the id is the correlation id of its log lines and goes into every API error body
 * (`errorResponse` in http/api.ts reads it with `currentRequestId`).
 */
export function withRequestId<T>(requestId: string, work: () => T): T {
	return correlation.run({ cid: requestId, requestId }, work);
}

/** The correlation id in force here, or undefined outside any request or job run. */
export function currentCorrelationId(): string | undefined {
	return correlation.getStore()?.cid;
}

/** The id of the request being handled here, or undefined outside one. */
export function currentRequestId(): string | undefined {
	return correlation.getStore()?.requestId;
}

/**
 * The options of every Comradarr logger (exported so tests build one on another destination with
 * exactly these serializers).
 */
export const LOGGER_OPTIONS: pino.LoggerOptions = {
	level: process.env.LOG_LEVEL || (process.env.VITEST ? 'silent' : 'info'),
	base: { app: 'comradarr' },
	redact: { paths: REDACT, censor: '[redacted]' },
	serializers: { err: safeError, error: safeError, cause: safeError },
	hooks: {
		logMethod(args, method) {
			// pino's LogFn overloads do not accept a rebuilt argument list; the shape is unchanged.
			return method.apply(this, scrubLogArguments(args) as Parameters<typeof method>);
		}
	},
	mixin() {
		const cid = correlation.getStore()?.cid;
		return cid === undefined ? {} : { cid };
	},
	timestamp: pino.stdTimeFunctions.isoTime
};

/**
 * Every logger derived from `logger`, weakly held. In pino 10 a child without a level of its own
 * follows its parent, but one created with a `level` option (or given one later) keeps its own
 * for good: a level change is applied to each of them so it reaches every logger.
 */
const descendants = new Set<WeakRef<Logger>>();
const forget = new FinalizationRegistry<WeakRef<Logger>>((ref) => descendants.delete(ref));

/**
 * The recent lines of this process (5,000 lines or 5 MiB, whichever first; see log-ring.ts).
 * One per process: kept on `globalThis` so a dev/HMR reload of this module keeps the lines.
 */
export const logRing: LogRing = ((
	globalThis as { __comradarrLogRing?: LogRing }
).__comradarrLogRing ??= new LogRing());

/**
 * A pino destination that writes each line synchronously to `out` and keeps it in `ring`.
 * @param out where the lines go besides the ring (the app: file descriptor 1).
 */
export function teeDestination(
	ring: LogRing,
	out: { write(line: string): unknown; flushSync?(): void } = pino.destination({
		dest: 1,
		sync: true
	})
): pino.DestinationStream & { flushSync(): void } {
	return {
		write(line: string) {
			out.write(line);
			ring.write(line);
		},
		flushSync() {
			out.flushSync?.();
		}
	};
}

export const logger: Logger = pino(
	{
		...LOGGER_OPTIONS,
		// Inherited by every child and grandchild (pino's `child` copies it), so all are tracked.
		onChild: (child) => {
			const ref = new WeakRef(child);
			descendants.add(ref);
			forget.register(child, ref);
		}
	},
	teeDestination(logRing)
);

/** A child logger for one module, e.g. `moduleLogger('sync')`. */
export function moduleLogger(module: string, bindings: Record<string, unknown> = {}): Logger {
	return logger.child({ module, ...bindings });
}

/** The level in force in this process (the root logger's). */
export function currentLogLevel(): pino.LevelWithSilent {
	return logger.level as pino.LevelWithSilent;
}

/**
 * Sets the level of the root logger and of every logger derived from it (Settings → General →
 * log level), effective for the next log call everywhere in this process. Other processes on the
 * same database follow a saved level through LISTEN/NOTIFY (services/settings/apply-settings.ts).
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
