/**
 * Wire shapes of Settings → Database (`GET /api/v1/database`, the page's data). Times are ISO
 * 8601 strings, sizes are bytes.
 */

export interface TableInfo {
	schema: string;
	name: string;
	/** `pg_total_relation_size`: table, indexes and TOAST, in bytes. */
	totalBytes: number;
	/** `pg_stat_user_tables.n_live_tup`: the planner's estimate of live rows. */
	rowEstimate: number;
	lastVacuumAt: string | null;
	lastAutovacuumAt: string | null;
	lastAnalyzeAt: string | null;
	lastAutoanalyzeAt: string | null;
}

export interface DatabaseStatus {
	connected: boolean;
	/** Why the database could not be read, for the user; null when connected. */
	error: string | null;
	/** `server_version`, e.g. "15.20 (Debian 15.20-0+deb12u1)". */
	serverVersion: string | null;
	/** `embedded`: the PostgreSQL Comradarr starts itself; `external`: `DATABASE_URL`. */
	mode: 'embedded' | 'external';
	/** Host, port and database name only (never a user name, password or URL). */
	host: string | null;
	port: number | null;
	database: string | null;
	/** `pg_database_size`, bytes. */
	sizeBytes: number | null;
	/** Largest first. */
	tables: TableInfo[];
	/** pg_dump / pg_restore for backups and restores. */
	tools: { available: boolean; version: string | null; problem: string | null };
}

export type BackupKind = 'manual' | 'scheduled' | 'other';

export interface BackupFile {
	name: string;
	kind: BackupKind;
	sizeBytes: number;
	/** The file's modification time. */
	createdAt: string;
}
