/**
 * Restoring a built-in backup (format: builtin-format.ts); restore.ts runs these steps with the
 * live schemas parked, as for a pg_dump file.
 *
 * `inspectBuiltinBackup` reads the whole file without touching the database: header, every
 * table's checksum and row count, the end line, Comradarr's tables, and the migration level
 * (migration-level.ts). `loadBuiltinBackup` then, in one transaction on clean `public` and
 * `drizzle` schemas:
 * 1. builds the schema of the backup's migration level the way drizzle's migrator does (its
 *    migrations table, then each migration's statements and its record, in journal order);
 * 2. checks that every table and column of the file exists in that schema;
 * 3. empties the tables (a migration may have written rows) and loads the file's rows table by
 *    table, parents first, in batches of `INSERT … OVERRIDING SYSTEM VALUE SELECT … FROM
 *    json_to_recordset($1)`, each value cast from its text form to the column's type;
 * 4. sets every sequence to the backup's value, or to the highest id present if that is higher.
 * The caller then applies the newer migrations (drizzle's own migrator) and swaps the schemas in.
 */
import type { Database } from '$lib/server/db';
import { JobError, type JobContext } from '$lib/server/services/jobs';
import {
	readBuiltinBackup,
	readBuiltinHeader,
	tableKey,
	type BuiltinHeader
} from './builtin-format';
import {
	catalogSequences,
	catalogTables,
	qualifiedName,
	quoteIdent,
	type CatalogTable,
	type Sql
} from './builtin-catalog';
import { TEXT_FORM_SETTINGS } from './builtin-export';
import { checkMigrationLevel, type KnownMigration } from './migration-level';

/**
 * Tables every Comradarr database has had since the first migration: a backup without them is
 * not ours.
 */
export const REQUIRED_TABLES = [
	'users',
	'sessions',
	'connectors',
	'series',
	'seasons',
	'episodes',
	'movies',
	'search_registry',
	'throttle_profiles',
	'app_settings'
] as const;

const MIGRATIONS_TABLE = 'drizzle.__drizzle_migrations';

export interface BuiltinInspection {
	header: BuiltinHeader;
	/** Rows in the file, all tables together. */
	rows: number;
	/** This version's migrations the backup has: its schema is built from them. */
	applied: KnownMigration[];
	/** Migrations of this version newer than the backup (applied after the restore). */
	pendingMigrations: number;
}

/**
 * Checks a built-in backup from start to end without touching the database.
 * @param name the name shown in messages (never the server path)
 * @throws JobError saying exactly what is wrong
 */
export async function inspectBuiltinBackup(deps: {
	file: string;
	name: string;
	migrationsDir: string;
	ctx?: Pick<JobContext, 'progress'> | undefined;
}): Promise<BuiltinInspection> {
	const { file, name, ctx } = deps;
	ctx?.progress(0.02, `Checking ${name}: format`);
	// The header alone first: a newer format version is refused before its body is read.
	const first = await readBuiltinHeader(file, name);
	const total = Math.max(
		1,
		first.tables.reduce((sum, t) => sum + t.rows, 0)
	);
	let checked = 0;
	let header = first;
	const journal: string[] = [];
	for await (const event of readBuiltinBackup(file, { name, checkRows: true })) {
		if (event.type === 'header') header = event.header;
		if (event.type !== 'rows') continue;
		checked += event.lines.length;
		if (tableKey(event.table) === MIGRATIONS_TABLE) journal.push(...event.lines);
		ctx?.progress(
			0.03 + (0.17 * checked) / total,
			`Checking ${name}: checksums (${checked} of ${total} rows)`
		);
	}

	ctx?.progress(0.2, `Checking ${name}: tables and migration level`);
	const tables = new Set(header.tables.map(tableKey));
	const missing = REQUIRED_TABLES.filter((t) => !tables.has(`public.${t}`));
	const hasJournal = tables.has(MIGRATIONS_TABLE);
	if (missing.length > 0 || !hasJournal) {
		const lacks = [
			...(missing.length > 0 ? [`the tables ${missing.join(', ')}`] : []),
			...(hasJournal ? [] : [`drizzle's migrations table (${MIGRATIONS_TABLE})`])
		].join(' and ');
		throw new JobError(`${name} is not a Comradarr backup: it lacks ${lacks}.`);
	}
	// The migrations table's rows and the header's list are the same snapshot: they must agree.
	const rows = journal
		.map((line) => JSON.parse(line) as { hash?: string | null; created_at?: string | null })
		.map((r) => `${r.hash}@${r.created_at}`)
		.sort();
	const listed = header.migrations.map((m) => `${m.hash}@${m.createdAt}`).sort();
	if (rows.join() !== listed.join()) {
		throw new JobError(
			`${name} is damaged: its migrations table does not match the migrations its header lists.`
		);
	}
	const level = checkMigrationLevel(name, header.migrations, deps.migrationsDir);
	return {
		header,
		rows: checked,
		applied: level.applied,
		pendingMigrations: level.pending.length
	};
}

/** Statements of a migration file, as drizzle's migrator runs them (empty pieces skipped). */
function statements(migration: KnownMigration): string[] {
	return migration.sql.filter((statement) => statement.trim() !== '');
}

/**
 * Builds the backup's migration level into the (empty) current schemas, as drizzle's migrator
 * would: `CREATE SCHEMA IF NOT EXISTS "drizzle"`, its table, then per migration its statements and
 * `insert into … ("hash", "created_at") values(hash, when)`.
 */
async function buildSchema(sql: Sql, applied: KnownMigration[]): Promise<void> {
	await sql.unsafe(`CREATE SCHEMA IF NOT EXISTS "drizzle"`);
	await sql.unsafe(`
		CREATE TABLE IF NOT EXISTS "drizzle"."__drizzle_migrations" (
			id SERIAL PRIMARY KEY,
			hash text NOT NULL,
			created_at bigint
		)`);
	for (const migration of applied) {
		for (const statement of statements(migration)) await sql.unsafe(statement);
		await sql.unsafe(
			`insert into "drizzle"."__drizzle_migrations" ("hash", "created_at") values($1, $2)`,
			[migration.hash, migration.folderMillis]
		);
	}
}

/** `INSERT … SELECT … FROM json_to_recordset($1)` for the file's columns of `table`. */
function insertStatement(target: CatalogTable, columns: string[]): string {
	const types = new Map(target.columns.map((c) => [c.name, c.baseType]));
	const names = columns.map(quoteIdent).join(', ');
	// Cast to the type without its modifier: the column's own (varchar(64), timestamp(3)) then
	// applies as in any INSERT, so a value too long is an error instead of being cut.
	const values = columns.map((c) => `r.${quoteIdent(c)}::${types.get(c)!}`).join(', ');
	const record = columns.map((c) => `${quoteIdent(c)} text`).join(', ');
	return (
		`insert into ${qualifiedName(target)} (${names}) overriding system value ` +
		// `$1::text::json`: a parameter typed json would be JSON-encoded once more by Bun's driver
		// (STACK.md trap 1); sent as text, the server parses it.
		`select ${values} from json_to_recordset($1::text::json) as r(${record})`
	);
}

/**
 * Loads a checked built-in backup into the current (empty, freshly created) `public` and
 * `drizzle` schemas, in one transaction (see the module comment).
 * @throws JobError when the file does not fit its own migration level or a row is refused; the
 *   transaction is then rolled back.
 */
export async function loadBuiltinBackup(deps: {
	db: Database;
	file: string;
	name: string;
	inspection: BuiltinInspection;
	ctx: Pick<JobContext, 'progress'>;
	/** Progress fractions this step reports between. */
	progress: [from: number, to: number];
}): Promise<void> {
	const { db, name, inspection, ctx } = deps;
	const [from, to] = deps.progress;
	const { header } = inspection;
	await db.$client.begin(async (tx) => {
		const sql = tx as unknown as Sql;
		await sql.unsafe(TEXT_FORM_SETTINGS);
		ctx.progress(from, 'Creating the schema of the backup');
		await buildSchema(sql, inspection.applied);

		const target = new Map((await catalogTables(sql)).map((t) => [tableKey(t), t]));
		const inserts = new Map<string, string>();
		for (const table of header.tables) {
			const key = tableKey(table);
			const mine = target.get(key);
			if (!mine) {
				throw new JobError(
					`${name} has the table ${key}, which its migration level does not have; it was not made by a released Comradarr.`
				);
			}
			const known = new Set(mine.columns.map((c) => c.name));
			const unknown = table.columns.find((c) => !known.has(c.name));
			if (unknown) {
				throw new JobError(
					`${name} has the column ${key}.${unknown.name}, which its migration level does not have; it was not made by a released Comradarr.`
				);
			}
			inserts.set(
				key,
				insertStatement(
					mine,
					table.columns.map((c) => c.name)
				)
			);
		}
		const listed = new Set([...header.tables.map(tableKey), ...header.excluded]);
		const absent = [...target.keys()].filter((key) => !listed.has(key));
		if (absent.length > 0) {
			throw new JobError(
				`${name} lacks the tables ${absent.join(', ')} of its migration level; it is incomplete.`
			);
		}
		await sql.unsafe(
			`truncate ${[...target.values()].map(qualifiedName).join(', ')} restart identity cascade`
		);

		const total = Math.max(1, inspection.rows);
		let loaded = 0;
		for await (const event of readBuiltinBackup(deps.file, { name })) {
			if (event.type !== 'rows') continue;
			const key = tableKey(event.table);
			try {
				await sql.unsafe(inserts.get(key)!, [`[${event.lines.join(',')}]`]);
			} catch (error) {
				// PostgreSQL's message may quote a value of the file: it goes to the log (the cause), not
				// to the run's error.
				throw new JobError(
					`${name}: the rows of ${key} could not be restored (a value does not fit its column); nothing was changed. The server log has the details.`,
					{ cause: error }
				);
			}
			loaded += event.lines.length;
			ctx.progress(
				from + ((to - from) * loaded) / total,
				`Restoring ${event.table.name} (${loaded} of ${total} rows)`
			);
		}

		const saved = new Map(header.sequences.map((s) => [`${s.schema}.${s.name}`, s.lastValue]));
		for (const sequence of await catalogSequences(sql)) {
			const last = saved.get(`${sequence.schema}.${sequence.name}`);
			let value = last ? BigInt(last) : 0n;
			if (sequence.owner) {
				const owner = qualifiedName({ schema: sequence.owner.schema, name: sequence.owner.table });
				const [row] = (await sql.unsafe(
					`select max(${quoteIdent(sequence.owner.column)})::text as m from ${owner}`
				)) as { m: string | null }[];
				if (row?.m && BigInt(row.m) > value) value = BigInt(row.m);
			}
			if (value > 0n) {
				await sql.unsafe(`select setval($1::regclass, $2::int8, true)`, [
					qualifiedName(sequence),
					value.toString()
				]);
			}
		}
	});
}
