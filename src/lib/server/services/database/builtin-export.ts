/**
 * Writing a built-in backup (format: builtin-format.ts) of the running database.
 *
 * Everything is read in one `REPEATABLE READ, READ ONLY` transaction, so the file is one
 * consistent snapshot while the app goes on working (what pg_dump does too). Each table is read in
 * pages by keyset pagination over its primary key (`where (pk) > (last) order by pk limit n`; a
 * table without one by `ctid`), and each page is turned into text by PostgreSQL itself
 * (`row_to_json` over `column::text`) and compressed as it is written: memory stays flat however
 * large the library is.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import type { Database } from '$lib/server/db';
import { APP_VERSION } from '$lib/server/config';
import type { JobContext } from '$lib/server/services/jobs';
import {
	BUILTIN_FORMAT,
	BUILTIN_VERSION,
	EXCLUDED_TABLES,
	tableKey,
	type BuiltinHeader,
	type BuiltinTable
} from './builtin-format';
import {
	catalogSequences,
	catalogTables,
	qualifiedName,
	quoteIdent,
	type CatalogTable,
	type Sql
} from './builtin-catalog';

/** Rows per page read from the database. */
export const EXPORT_PAGE_ROWS = 2000;

/**
 * Session settings for text forms that read back exactly and do not depend on the server's
 * configuration (pg_dump pins the same ones).
 */
export const TEXT_FORM_SETTINGS = `
	set local timezone = 'UTC';
	set local datestyle = 'ISO, YMD';
	set local intervalstyle = 'postgres';
	set local bytea_output = 'hex';
	set local extra_float_digits = 3;`;

/** A gzip file written with back-pressure: `write` waits while the compressor is behind. */
class GzipFile {
	private readonly gzip = createGzip({ level: 6 });
	private readonly out;
	private failure: unknown = null;

	constructor(file: string) {
		this.out = createWriteStream(file, { mode: 0o600 });
		this.gzip.pipe(this.out);
		const fail = (error: unknown) => {
			this.failure ??= error;
		};
		this.gzip.on('error', fail);
		this.out.on('error', fail);
	}

	async write(chunk: Buffer): Promise<void> {
		if (this.failure) throw this.failure;
		if (!this.gzip.write(chunk)) await once(this.gzip, 'drain');
	}

	async close(): Promise<void> {
		if (this.failure) throw this.failure;
		this.gzip.end();
		await finished(this.out);
		if (this.failure) throw this.failure;
	}

	destroy(): void {
		this.gzip.destroy();
		this.out.destroy();
	}
}

/** Journal tags by `when` (ms), from `<migrationsDir>/meta/_journal.json`; empty when absent. */
function journalTags(migrationsDir: string | undefined): Map<number, string> {
	const tags = new Map<number, string>();
	const journal = migrationsDir && path.join(migrationsDir, 'meta', '_journal.json');
	if (!journal || !existsSync(journal)) return tags;
	const parsed = JSON.parse(readFileSync(journal, 'utf8')) as {
		entries?: { when: number; tag: string }[];
	};
	for (const entry of parsed.entries ?? []) tags.set(entry.when, entry.tag);
	return tags;
}

/** The SELECT of one page of `table`: the row as JSON text plus its key as text. */
function pageQueries(
	table: CatalogTable,
	pageRows: number
): { first: string; next: string; keyCount: number } {
	const keys =
		table.primaryKey.length > 0
			? table.primaryKey.map((name) => ({
					expr: `t.${quoteIdent(name)}`,
					cast: table.columns.find((c) => c.name === name)?.baseType ?? 'text'
				}))
			: [{ expr: 't.ctid', cast: 'tid' }];
	const values = table.columns
		.map((c) => `t.${quoteIdent(c.name)}::text as ${quoteIdent(c.name)}`)
		.join(', ');
	const select =
		`select row_to_json(x)::text as line, ` +
		keys.map((k, i) => `${k.expr}::text as k${i}`).join(', ') +
		` from ${qualifiedName(table)} t, lateral (select ${values}) x`;
	const order = ` order by ${keys.map((k) => k.expr).join(', ')} limit ${pageRows}`;
	const after =
		` where (${keys.map((k) => k.expr).join(', ')}) > ` +
		`(${keys.map((k, i) => `$${i + 1}::${k.cast}`).join(', ')})`;
	return { first: select + order, next: select + after + order, keyCount: keys.length };
}

export interface BuiltinExportResult {
	tables: number;
	rows: number;
}

/**
 * Writes a built-in backup of the database to `file` (mode 0600; overwritten).
 * @param deps.migrationsDir drizzle's folder, for the migrations' tags in the header (optional)
 * @throws whatever the database or the file system throws; the caller deletes the partial file.
 */
export async function writeBuiltinBackup(deps: {
	db: Database;
	file: string;
	clock: () => Date;
	migrationsDir?: string;
	ctx?: Pick<JobContext, 'progress'>;
	pageRows?: number;
}): Promise<BuiltinExportResult> {
	const { db, ctx } = deps;
	const pageRows = deps.pageRows ?? EXPORT_PAGE_ROWS;
	const out = new GzipFile(deps.file);
	try {
		const result = await db.$client.begin(
			'isolation level repeatable read read only',
			async (tx) => {
				const sql = tx as unknown as Sql;
				await sql.unsafe(TEXT_FORM_SETTINGS);
				return exportSnapshot(sql, out, { ...deps, pageRows });
			}
		);
		await out.close();
		ctx?.progress(0.9, `Wrote ${result.rows} rows of ${result.tables} tables`);
		return result;
	} catch (error) {
		out.destroy();
		throw error;
	}
}

async function exportSnapshot(
	sql: Sql,
	out: GzipFile,
	deps: {
		clock: () => Date;
		migrationsDir?: string;
		ctx?: Pick<JobContext, 'progress'>;
		pageRows: number;
	}
): Promise<BuiltinExportResult> {
	const { ctx } = deps;
	const excluded = new Set<string>(EXCLUDED_TABLES);
	const tables = (await catalogTables(sql)).filter((t) => !excluded.has(tableKey(t)));
	const counts = new Map<string, number>();
	for (const table of tables) {
		const [row] = (await sql.unsafe(
			`select count(*)::int8::text as n from ${qualifiedName(table)}`
		)) as { n: string }[];
		counts.set(tableKey(table), Number(row?.n ?? 0));
	}
	const sequences = [];
	for (const sequence of await catalogSequences(sql)) {
		if (sequence.owner && excluded.has(`${sequence.owner.schema}.${sequence.owner.table}`)) {
			continue;
		}
		const [row] = (await sql.unsafe(
			`select pg_sequence_last_value('${qualifiedName(sequence).replaceAll("'", "''")}'::regclass)::text as v`
		)) as { v: string | null }[];
		sequences.push({ schema: sequence.schema, name: sequence.name, lastValue: row?.v ?? null });
	}
	const tags = journalTags(deps.migrationsDir);
	const migrations = (
		(await sql.unsafe(
			`select hash, created_at::text as created_at from drizzle.__drizzle_migrations order by id`
		)) as { hash: string; created_at: string }[]
	).map((m) => ({
		tag: tags.get(Number(m.created_at)) ?? null,
		hash: m.hash,
		createdAt: Number(m.created_at)
	}));
	const [server] = (await sql.unsafe(`select current_setting('server_version') as v`)) as {
		v: string;
	}[];

	const headerTables: BuiltinTable[] = tables.map((t) => ({
		schema: t.schema as BuiltinTable['schema'],
		name: t.name,
		rows: counts.get(tableKey(t)) ?? 0,
		primaryKey: t.primaryKey,
		columns: t.columns.map((c) => ({ name: c.name, type: c.type }))
	}));
	// `format` first: its bytes are the file's magic (BUILTIN_MAGIC_PREFIX).
	const header: BuiltinHeader = {
		format: BUILTIN_FORMAT,
		version: BUILTIN_VERSION,
		createdAt: deps.clock().toISOString(),
		app: { name: 'comradarr', version: APP_VERSION },
		server: server?.v ?? 'unknown',
		migrations,
		tables: headerTables,
		sequences: sequences as BuiltinHeader['sequences'],
		excluded: [...EXCLUDED_TABLES]
	};

	const whole = createHash('sha256');
	const emit = async (text: string): Promise<Buffer> => {
		const bytes = Buffer.from(text, 'utf8');
		whole.update(bytes);
		await out.write(bytes);
		return bytes;
	};
	await emit(`${JSON.stringify(header)}\n`);

	const totalRows = Math.max(
		1,
		[...counts.values()].reduce((a, b) => a + b, 0)
	);
	let written = 0;
	for (const [index, table] of tables.entries()) {
		const key = tableKey(table);
		const expected = counts.get(key) ?? 0;
		const queries = pageQueries(table, deps.pageRows);
		const hash = createHash('sha256');
		let rows = 0;
		let last: string[] | null = null;
		ctx?.progress(
			(0.9 * written) / totalRows,
			`Backing up ${table.name} (${index + 1} of ${tables.length} tables)`
		);
		for (;;) {
			const page = (await (last
				? sql.unsafe(queries.next, last)
				: sql.unsafe(queries.first))) as Record<string, string>[];
			if (page.length === 0) break;
			const bytes = await emit(page.map((r) => `${r.line}\n`).join(''));
			hash.update(bytes);
			rows += page.length;
			written += page.length;
			const end = page[page.length - 1]!;
			last = Array.from({ length: queries.keyCount }, (_, i) => end[`k${i}`]!);
			ctx?.progress(
				(0.9 * written) / totalRows,
				`Backing up ${table.name} (${index + 1} of ${tables.length} tables, ${written} of ${totalRows} rows)`
			);
			if (page.length < deps.pageRows) break;
		}
		if (rows !== expected) {
			// Cannot happen inside one snapshot; a file that disagrees with its header is useless.
			throw new Error(`${key}: read ${rows} rows, the snapshot counted ${expected}`);
		}
		await emit(`${JSON.stringify({ table: key, rows, sha256: hash.digest('hex') })}\n`);
	}
	const end = { end: BUILTIN_FORMAT, tables: tables.length, sha256: whole.digest('hex') };
	await out.write(Buffer.from(`${JSON.stringify(end)}\n`));
	return { tables: tables.length, rows: written };
}
