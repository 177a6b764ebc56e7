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
	/** The format new backups use (`BACKUP_FORMAT`, and whether pg_dump fits the server). */
	backup: {
		/** null: no backup can be made (`BACKUP_FORMAT=pg_dump` without a fitting pg_dump). */
		format: BackupFormat | null;
		setting: 'auto' | 'builtin' | 'pg_dump';
		/** Why this format, e.g. "pg_dump 18 not found: using Comradarr's built-in format." */
		reason: string;
		/** Why no backup can be made; null when `format` is set. */
		problem: string | null;
	};
}

/**
 * `pg_dump`: a pg_dump custom-format archive; `builtin`: Comradarr's own format (gzip-compressed
 * JSON lines, made without any external program).
 */
export type BackupFormat = 'pg_dump' | 'builtin';

export type BackupKind = 'manual' | 'scheduled' | 'other';

export interface BackupFile {
	name: string;
	kind: BackupKind;
	sizeBytes: number;
	/** Told from the file's first bytes; null for a file in neither format. */
	format: BackupFormat | null;
	/** The file's modification time. */
	createdAt: string;
}
