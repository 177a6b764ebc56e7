/**
 * Comradarr's built-in backup format: made and read by the app itself, so backups need no
 * external program (see backup-format.ts for when it is used).
 *
 * ## The file
 * A gzip stream (RFC 1952; readers accept several concatenated members) of UTF-8 text made of
 * lines, each one JSON value ended by "\n" (JSON escapes every newline inside a string, so a line
 * is never split):
 *
 * 1. **Header** — always starts with the bytes `{"format":"comradarr-backup",` (its magic):
 *    ```
 *    { "format": "comradarr-backup", "version": 1, "createdAt": "<ISO 8601>",
 *      "app": { "name": "comradarr", "version": "0.1.0" }, "server": "<server_version>",
 *      "migrations": [{ "tag": "<journal tag or null>", "hash": "<sha256 hex>", "createdAt": <ms> }],
 *      "tables": [{ "schema": "public", "name": "series", "rows": 1000, "primaryKey": ["id"],
 *                   "columns": [{ "name": "id", "type": "integer" }, …] }, …],
 *      "sequences": [{ "schema": "public", "name": "series_id_seq", "lastValue": "1000" | null }],
 *      "excluded": ["public.job_runs"] }
 *    ```
 *    `migrations` are the rows of drizzle's `drizzle.__drizzle_migrations` (hash = sha256 of the
 *    migration's SQL file, createdAt = the journal's `when`): the backup's migration level.
 *    `tables` lists every table of the `public` and `drizzle` schemas except `excluded`, parents
 *    before children (foreign keys), each with its row count in the backup's snapshot.
 *    `lastValue` is the sequence's `pg_sequence_last_value` (null: never used).
 * 2. For each table of `tables`, in that order: exactly `rows` **row lines**, each an object of
 *    every listed column → its value in PostgreSQL's text form (the type's output function, with
 *    DateStyle ISO, TimeZone UTC, IntervalStyle postgres, bytea_output hex,
 *    extra_float_digits 3), or `null` for SQL NULL; rows in primary-key order. Text forms
 *    round-trip every type exactly (what pg_dump's COPY uses): timestamps keep their
 *    milliseconds, a jsonb `null` stays distinct from SQL NULL, jsonb is never double-encoded.
 *    Then one **table trailer**: `{"table": "public.series", "rows": 1000, "sha256": "<hex>"}`,
 *    the SHA-256 of that table's row lines, each with its "\n".
 * 3. **End**: `{"end": "comradarr-backup", "tables": <count>, "sha256": "<hex>"}`, the SHA-256 of
 *    every byte before this line. Nothing follows it.
 *
 * The checksums, gzip's own CRC-32 and the end line detect a truncated, damaged or edited file
 * before anything is restored. They are not a signature: whoever can write a file can recompute
 * them (restoring is an administrator's action, like restoring a pg_dump archive).
 *
 * ## Secrets
 * Nothing is decrypted for a backup: *arr API keys stay the AES-256-GCM ciphertext of
 * `connectors.api_key_encrypted` (a restore needs the same SECRET_KEY), passwords are Argon2id
 * hashes, sessions and API keys are stored as SHA-256 digests of their tokens.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import * as v from 'valibot';
import { JobError } from '$lib/server/services/jobs';

export const BUILTIN_FORMAT = 'comradarr-backup';
/** The version this code writes and the newest it reads. */
export const BUILTIN_VERSION = 1;
/** The first bytes of every built-in backup's text. */
export const BUILTIN_MAGIC_PREFIX = `{"format":"${BUILTIN_FORMAT}",`;
/** Largest header line accepted (bytes). */
export const MAX_HEADER_BYTES = 4 * 1024 * 1024;
/** Largest row line accepted (bytes); PostgreSQL's own limit for one value is 1 GB. */
export const MAX_LINE_BYTES = 256 * 1024 * 1024;

/**
 * Tables that never travel in a backup: this instance's job history (a restore keeps it), and the
 * registry's per-item totals, which the restore rebuilds (its triggers sum the restored
 * `search_registry` rows; restored totals on top would count every row twice).
 */
export const EXCLUDED_TABLES = ['public.job_runs', 'public.search_item_summary'] as const;

const IDENTIFIER = v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/));
const HEX64 = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));
const COUNT = v.pipe(v.number(), v.integer(), v.minValue(0));

const TableSchema = v.object({
	schema: v.picklist(['public', 'drizzle']),
	name: IDENTIFIER,
	rows: COUNT,
	primaryKey: v.array(IDENTIFIER),
	columns: v.pipe(
		v.array(v.object({ name: IDENTIFIER, type: v.pipe(v.string(), v.maxLength(200)) })),
		v.minLength(1)
	)
});

const HeaderSchema = v.object({
	format: v.literal(BUILTIN_FORMAT),
	version: v.literal(BUILTIN_VERSION),
	createdAt: v.pipe(v.string(), v.isoTimestamp()),
	app: v.object({ name: v.string(), version: v.string() }),
	server: v.string(),
	migrations: v.array(
		v.object({
			tag: v.nullable(v.string()),
			hash: HEX64,
			createdAt: v.pipe(v.number(), v.safeInteger())
		})
	),
	tables: v.array(TableSchema),
	sequences: v.array(
		v.object({
			schema: v.picklist(['public', 'drizzle']),
			name: IDENTIFIER,
			lastValue: v.nullable(v.pipe(v.string(), v.regex(/^-?\d{1,19}$/)))
		})
	),
	excluded: v.array(v.string())
});

const TrailerSchema = v.object({ table: v.string(), rows: COUNT, sha256: HEX64 });
const EndSchema = v.object({ end: v.literal(BUILTIN_FORMAT), tables: COUNT, sha256: HEX64 });

export type BuiltinHeader = v.InferOutput<typeof HeaderSchema>;
export type BuiltinTable = BuiltinHeader['tables'][number];
export type BuiltinSequence = BuiltinHeader['sequences'][number];
export type BuiltinMigration = BuiltinHeader['migrations'][number];

/** `schema.name`. */
export function tableKey(table: { schema: string; name: string }): string {
	return `${table.schema}.${table.name}`;
}

/** What `readBuiltinBackup` yields, in file order. */
export type BuiltinEvent =
	| { type: 'header'; header: BuiltinHeader }
	/** Row lines of `table` (JSON objects as text), in batches. */
	| { type: 'rows'; table: BuiltinTable; lines: string[] }
	/** The table's trailer was read and its checksum matched. */
	| { type: 'table-end'; table: BuiltinTable };

export interface ReadOptions {
	/** The file's name for messages (never the server path). */
	name: string;
	/** Most rows per `rows` event (default 2000). */
	batchRows?: number;
	/** Most bytes of row text per `rows` event (default 8 MiB). */
	batchBytes?: number;
	/** Also parse each row line and check its columns (the validation pass). */
	checkRows?: boolean;
}

const NEWLINE = Buffer.from('\n');

/**
 * The lines of a gzip file without their "\n", read as a stream (flat memory). A last line
 * without its newline is yielded with `complete: false`.
 * @throws JobError for a file that is not gzip, is damaged or ends early (the name only).
 */
async function* gzipLines(
	file: string,
	name: string,
	limit: (index: number) => number
): AsyncGenerator<{ line: Buffer; complete: boolean }> {
	const source = createReadStream(file, { highWaterMark: 256 * 1024 });
	const gunzip = createGunzip();
	source.on('error', (error) => gunzip.destroy(error));
	source.pipe(gunzip);
	let carry: Buffer[] = [];
	let carried = 0;
	let index = 0;
	try {
		for await (const chunk of gunzip as AsyncIterable<Buffer>) {
			let start = 0;
			for (;;) {
				const newline = chunk.indexOf(10, start);
				if (newline < 0) {
					const rest = chunk.subarray(start);
					if (rest.length > 0) {
						carry.push(rest);
						carried += rest.length;
					}
					if (carried > limit(index)) {
						throw new JobError(
							`${name} is not a Comradarr backup: line ${index + 1} is longer than ${limit(index)} bytes.`
						);
					}
					break;
				}
				let line = chunk.subarray(start, newline);
				if (carried > 0) {
					carry.push(line);
					line = Buffer.concat(carry, carried + line.length);
					carry = [];
					carried = 0;
				}
				if (line.length > limit(index)) {
					throw new JobError(
						`${name} is not a Comradarr backup: line ${index + 1} is longer than ${limit(index)} bytes.`
					);
				}
				yield { line, complete: true };
				index++;
				start = newline + 1;
			}
		}
	} catch (error) {
		if (error instanceof JobError) throw error;
		const reason = error instanceof Error ? error.message : String(error);
		throw new JobError(
			`${name} is damaged or incomplete (was it truncated?): its gzip stream cannot be read (${reason}).`,
			{ cause: error }
		);
	} finally {
		source.destroy();
		gunzip.destroy();
	}
	if (carried > 0) yield { line: Buffer.concat(carry, carried), complete: false };
}

function parseJson(line: Buffer): unknown {
	try {
		return JSON.parse(line.toString('utf8')) as unknown;
	} catch {
		return undefined;
	}
}

function issue(result: { issues?: readonly v.BaseIssue<unknown>[] }): string {
	const first = result.issues?.[0];
	if (!first) return 'unexpected content';
	const where = first.path?.map((p) => String(p.key)).join('.') ?? '';
	return where ? `${where}: ${first.message}` : first.message;
}

/**
 * Reads the header line alone (cheap: the rest of the file is not inflated).
 * @throws JobError when the file is not a built-in backup, is of a newer format version, or its
 *   header is damaged.
 */
export async function readBuiltinHeader(file: string, name: string): Promise<BuiltinHeader> {
	for await (const { line, complete } of gzipLines(file, name, () => MAX_HEADER_BYTES)) {
		if (!complete) break;
		return parseHeader(line, name);
	}
	throw new JobError(`${name} is damaged or incomplete (was it truncated?): it has no header.`);
}

function parseHeader(line: Buffer, name: string): BuiltinHeader {
	if (line.subarray(0, BUILTIN_MAGIC_PREFIX.length).toString('latin1') !== BUILTIN_MAGIC_PREFIX) {
		throw new JobError(`${name} is not a Comradarr backup (its content is not ours).`);
	}
	const raw = parseJson(line);
	const version = (raw as { version?: unknown } | undefined)?.version;
	if (typeof version === 'number' && version > BUILTIN_VERSION) {
		throw new JobError(
			`${name} was made by a newer Comradarr (backup format version ${version}; this version reads version ${BUILTIN_VERSION}). Update Comradarr, then restore.`
		);
	}
	const parsed = v.safeParse(HeaderSchema, raw);
	if (!parsed.success) {
		throw new JobError(
			`${name} is damaged or not a Comradarr backup: its header is invalid (${issue(parsed)}).`
		);
	}
	const seen = new Set<string>();
	for (const table of parsed.output.tables) {
		const key = tableKey(table);
		if (seen.has(key)) {
			throw new JobError(`${name} is damaged: it lists the table ${key} twice.`);
		}
		seen.add(key);
		if (new Set(table.columns.map((c) => c.name)).size !== table.columns.length) {
			throw new JobError(`${name} is damaged: the table ${key} lists a column twice.`);
		}
	}
	return parsed.output;
}

function checkRow(line: Buffer, table: BuiltinTable, columns: Set<string>, name: string): void {
	const row = parseJson(line);
	const bad = (why: string) =>
		new JobError(`${name} is damaged: a row of ${tableKey(table)} ${why}.`);
	if (typeof row !== 'object' || row === null || Array.isArray(row)) {
		throw bad('is not a JSON object');
	}
	const entries = Object.entries(row);
	for (const [column, value] of entries) {
		if (!columns.has(column)) throw bad(`has the unknown column ${column}`);
		if (value !== null && typeof value !== 'string') {
			throw bad(`has a value for ${column} that is neither text nor null`);
		}
	}
	if (entries.length !== columns.size) throw bad('lacks some of the listed columns');
}

/**
 * Reads a built-in backup from start to end as a stream, checking as it goes: the header, each
 * table's row count and SHA-256, the end line's SHA-256 of everything before it, and that nothing
 * follows. Rows are yielded before their table's checksum is known: a consumer that writes them
 * must do so in a transaction it rolls back when this throws (see builtin-restore.ts).
 * @throws JobError naming what is wrong ("… is damaged or incomplete (was it truncated?) …").
 */
export async function* readBuiltinBackup(
	file: string,
	options: ReadOptions
): AsyncGenerator<BuiltinEvent> {
	const { name } = options;
	const batchRows = options.batchRows ?? 2000;
	const batchBytes = options.batchBytes ?? 8 * 1024 * 1024;
	const lines = gzipLines(file, name, (index) => (index === 0 ? MAX_HEADER_BYTES : MAX_LINE_BYTES));
	const whole = createHash('sha256');
	const truncated = (where: string) =>
		new JobError(`${name} is damaged or incomplete (was it truncated?): it ends ${where}.`);

	const next = async (where: string): Promise<Buffer> => {
		const { value, done } = await lines.next();
		if (done || !value.complete) throw truncated(where);
		return value.line;
	};
	const add = (hash: Hash, line: Buffer) => hash.update(line).update(NEWLINE);

	try {
		const headerLine = await next('before its header');
		const header = parseHeader(headerLine, name);
		add(whole, headerLine);
		yield { type: 'header', header };

		for (const table of header.tables) {
			const key = tableKey(table);
			const columns = new Set(table.columns.map((c) => c.name));
			const hash = createHash('sha256');
			let batch: string[] = [];
			let bytes = 0;
			for (let row = 0; row < table.rows; row++) {
				const line = await next(`inside the rows of ${key}`);
				if (options.checkRows) checkRow(line, table, columns, name);
				add(hash, line);
				add(whole, line);
				batch.push(line.toString('utf8'));
				bytes += line.length;
				if (batch.length >= batchRows || bytes >= batchBytes) {
					yield { type: 'rows', table, lines: batch };
					batch = [];
					bytes = 0;
				}
			}
			if (batch.length > 0) yield { type: 'rows', table, lines: batch };
			const trailerLine = await next(`after the rows of ${key}`);
			const trailer = v.safeParse(TrailerSchema, parseJson(trailerLine));
			if (!trailer.success || trailer.output.table !== key || trailer.output.rows !== table.rows) {
				throw new JobError(
					`${name} is damaged: the rows of ${key} do not end where its header says (${table.rows} rows).`
				);
			}
			if (trailer.output.sha256 !== hash.digest('hex')) {
				throw new JobError(
					`${name} is damaged: the checksum of table ${key} does not match its rows (the file was changed or corrupted).`
				);
			}
			add(whole, trailerLine);
			yield { type: 'table-end', table };
		}

		const endLine = await next('before its end line');
		const end = v.safeParse(EndSchema, parseJson(endLine));
		if (!end.success || end.output.tables !== header.tables.length) {
			throw new JobError(`${name} is damaged: its end line is missing or wrong.`);
		}
		if (end.output.sha256 !== whole.digest('hex')) {
			throw new JobError(
				`${name} is damaged: the checksum of the whole file does not match (the header or a table trailer was changed).`
			);
		}
		const after = await lines.next();
		if (!after.done) {
			throw new JobError(`${name} is damaged: there is data after its end line.`);
		}
	} finally {
		await lines.return(undefined);
	}
}
