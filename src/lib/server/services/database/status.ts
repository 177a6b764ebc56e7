/**
 * What Settings → Database shows about the database: connection, server version, embedded or
 * external, and per table its size and last VACUUM / ANALYZE (PostgreSQL's statistics views).
 * Never a connection URL, user name or password.
 */
import type { Database } from '$lib/server/db';
import { moduleLogger } from '$lib/server/logger';
import type { DatabaseStatus, TableInfo } from '$lib/types/database';
import { chooseBackupFormat } from './backup-format';
import { connectionOf } from './pg-tools';

const log = moduleLogger('database');

/** The schemas Comradarr owns: its tables and drizzle's migrations journal. */
export const APP_SCHEMAS = ['public', 'drizzle'] as const;

function iso(value: unknown): string | null {
	if (value === null || value === undefined) return null;
	const date = value instanceof Date ? value : new Date(String(value));
	return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Every table of the app's schemas with size and maintenance times, largest first. */
export async function tableInfo(db: Database): Promise<TableInfo[]> {
	const rows = (await db.$client`
		select n.nspname as schema, c.relname as name,
			pg_total_relation_size(c.oid) as total_bytes,
			coalesce(s.n_live_tup, 0) as row_estimate,
			s.last_vacuum, s.last_autovacuum, s.last_analyze, s.last_autoanalyze
		from pg_class c
		join pg_namespace n on n.oid = c.relnamespace
		left join pg_stat_user_tables s on s.relid = c.oid
		where c.relkind in ('r', 'p') and n.nspname in ('public', 'drizzle')
		order by pg_total_relation_size(c.oid) desc, n.nspname, c.relname`) as Record<string, unknown>[];
	return rows.map((r) => ({
		schema: String(r.schema),
		name: String(r.name),
		totalBytes: Number(r.total_bytes),
		rowEstimate: Number(r.row_estimate),
		lastVacuumAt: iso(r.last_vacuum),
		lastAutovacuumAt: iso(r.last_autovacuum),
		lastAnalyzeAt: iso(r.last_analyze),
		lastAutoanalyzeAt: iso(r.last_autoanalyze)
	}));
}

/**
 * The database's state for the page. A database that cannot be read gives `connected: false` and
 * a short reason instead of throwing.
 * @param embedded whether the runtime started the embedded PostgreSQL (no `DATABASE_URL`).
 * @param env where `BACKUP_FORMAT`, `PG_BIN_DIR` and `PATH` are read
 */
export async function databaseStatus(
	db: Database,
	embedded: boolean,
	env: NodeJS.ProcessEnv = process.env
): Promise<DatabaseStatus> {
	const connection = connectionOf(db);
	const base: DatabaseStatus = {
		connected: false,
		error: null,
		serverVersion: null,
		mode: embedded ? 'embedded' : 'external',
		host: connection.host,
		port: connection.port,
		database: connection.database,
		sizeBytes: null,
		tables: [],
		tools: { available: false, version: null, problem: null },
		backup: {
			format: null,
			setting: 'auto',
			reason: 'The database does not answer.',
			problem: null
		}
	};
	try {
		const [size] = (await db.$client`select pg_database_size(current_database()) as bytes,
			current_setting('server_version') as version`) as {
			bytes: string | number;
			version: string;
		}[];
		const choice = await chooseBackupFormat(db, env);
		return {
			...base,
			connected: true,
			serverVersion: size?.version ?? null,
			sizeBytes: size ? Number(size.bytes) : null,
			tables: await tableInfo(db),
			tools: {
				available: choice.tools !== null,
				version: choice.tools?.version ?? null,
				problem: choice.toolsProblem
			},
			backup: {
				format: choice.format,
				setting: choice.setting,
				reason: choice.reason,
				problem: choice.problem
			}
		};
	} catch (error) {
		log.warn({ err: String(error) }, 'database status could not be read');
		return { ...base, error: 'The database does not answer; see the server log.' };
	}
}
