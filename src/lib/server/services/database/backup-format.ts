/**
 * Which format new backups use, and which format a file is.
 *
 * Two formats exist:
 * - `pg_dump`: `pg_dump --format=custom` archives, restored with pg_restore. Preferred when a
 *   pg_dump / pg_restore pair at least as new as the server is found (pg-tools.ts): it is
 *   PostgreSQL's own tool.
 * - `builtin`: Comradarr's own format (builtin-format.ts), written and read by the app itself, so
 *   backups work on every install — in particular with the embedded PostgreSQL 18, whose
 *   distribution ships no pg_dump, on systems whose client packages are older than the server.
 *
 * `BACKUP_FORMAT` picks the format of new backups: `auto` (default; pg_dump when it fits, else
 * built-in), `builtin`, or `pg_dump` (no fallback: backups are refused while the tools are
 * missing). A restore accepts both formats whatever the setting, telling them apart by their first
 * bytes (`sniffBackupFormat`).
 */
import { open } from 'node:fs/promises';
import { constants, gunzipSync } from 'node:zlib';
import type { Database } from '$lib/server/db';
import type { BackupFormat } from '$lib/types/database';
import { BUILTIN_MAGIC_PREFIX } from './builtin-format';
import { findPgTools, serverVersion, type PgTools, type PgToolsLookup } from './pg-tools';

export type { BackupFormat };

export const BACKUP_FORMAT_SETTINGS = ['auto', 'builtin', 'pg_dump'] as const;
export type BackupFormatSetting = (typeof BACKUP_FORMAT_SETTINGS)[number];

/** The first bytes of a pg_dump custom-format archive. */
export const PG_DUMP_MAGIC = 'PGDMP';
/** gzip's member header: ID1 ID2 and CM = 8 (deflate), RFC 1952 §2.3.1. */
const GZIP_MAGIC = [0x1f, 0x8b, 0x08] as const;
/** How many compressed bytes `sniffBackupFormat` inflates at most (bounds the output too). */
const SNIFF_BYTES = 1024;

export interface BackupFormatChoice {
	/** The `BACKUP_FORMAT` in force (`auto` when unset or not one of the three). */
	setting: BackupFormatSetting;
	/** What new backups use; null when none can be made (`pg_dump` forced, tools missing). */
	format: BackupFormat | null;
	/** pg_dump / pg_restore fitting the server, when found (also what restores of pg_dump files need). */
	tools: PgTools | null;
	/** Why no fitting pg_dump was found and what to install; null when `tools` is set. */
	toolsProblem: string | null;
	/** Why this format, for the page ("pg_dump 18 not found: using Comradarr's built-in format"). */
	reason: string;
	/** Why no backup can be made; null when `format` is set. */
	problem: string | null;
}

/**
 * `BACKUP_FORMAT` from the environment. An unknown value counts as `auto` and says so in
 * `invalid`, for the page to show.
 */
export function backupFormatSetting(env: NodeJS.ProcessEnv = process.env): {
	setting: BackupFormatSetting;
	invalid: string | null;
} {
	const raw = (env.BACKUP_FORMAT ?? '').trim().toLowerCase();
	if (raw === '') return { setting: 'auto', invalid: null };
	const known = BACKUP_FORMAT_SETTINGS.find((s) => s === raw);
	return known ? { setting: known, invalid: null } : { setting: 'auto', invalid: raw };
}

/**
 * Decides the format of new backups for this server (see the module comment).
 * @param env where `BACKUP_FORMAT`, `PG_BIN_DIR` and `PATH` are read
 */
export async function chooseBackupFormat(
	db: Database,
	env: NodeJS.ProcessEnv = process.env
): Promise<BackupFormatChoice> {
	const server = await serverVersion(db);
	return decideBackupFormat(env, server.major, findPgTools(server.major, env));
}

/**
 * The decision of `chooseBackupFormat` for a server of major version `serverMajor`, given what
 * the search for pg_dump found (`findPgTools(serverMajor)`).
 */
export function decideBackupFormat(
	env: NodeJS.ProcessEnv,
	serverMajor: number,
	lookup: PgToolsLookup
): BackupFormatChoice {
	const { setting, invalid } = backupFormatSetting(env);
	const tools = lookup.tools;
	const toolsProblem = lookup.problem;
	const note = invalid
		? ` (BACKUP_FORMAT=${invalid} is not auto, builtin or pg_dump; using auto)`
		: '';
	if (setting === 'builtin') {
		return {
			setting,
			format: 'builtin',
			tools,
			toolsProblem,
			reason: "BACKUP_FORMAT=builtin: using Comradarr's built-in format.",
			problem: null
		};
	}
	if (tools) {
		return {
			setting,
			format: 'pg_dump',
			tools,
			toolsProblem,
			reason: `Using pg_dump ${tools.version} (custom format).${note}`,
			problem: null
		};
	}
	if (setting === 'pg_dump') {
		return {
			setting,
			format: null,
			tools: null,
			toolsProblem,
			reason: 'BACKUP_FORMAT=pg_dump, but no suitable pg_dump was found.',
			problem: `${lookup.problem ?? 'pg_dump was not found.'} Or unset BACKUP_FORMAT to use Comradarr's built-in format.`
		};
	}
	return {
		setting,
		format: 'builtin',
		tools: null,
		toolsProblem,
		reason: `pg_dump ${serverMajor} not found: using Comradarr's built-in format.${note}`,
		problem: null
	};
}

/**
 * The format of a backup from its first bytes: `pg_dump` for "PGDMP", `builtin` for a gzip
 * stream whose text starts with the built-in header, null for anything else (another file, a
 * gzip of something else). Only a bounded prefix is inflated, so this is cheap and safe on any
 * input, including the first chunk of an upload.
 * @param options.prefix `head` is only the start of what is coming (an upload's first chunk): a
 *   gzip stream too short to show the header yet counts as `builtin` while what it shows agrees
 *   (the restore checks the whole file anyway).
 */
export function sniffBackupFormat(
	head: Uint8Array,
	options: { prefix?: boolean } = {}
): BackupFormat | null {
	const magic = PG_DUMP_MAGIC.split('').map((c) => c.charCodeAt(0));
	if (magic.every((byte, i) => head[i] === byte)) return 'pg_dump';
	if (!GZIP_MAGIC.every((byte, i) => head[i] === byte)) return null;
	let text: string;
	try {
		text = gunzipSync(head.subarray(0, SNIFF_BYTES), {
			// A prefix of a stream: inflate what is there instead of failing at its end.
			finishFlush: constants.Z_SYNC_FLUSH
		})
			.subarray(0, BUILTIN_MAGIC_PREFIX.length)
			.toString('latin1');
	} catch {
		return null;
	}
	if (text === BUILTIN_MAGIC_PREFIX) return 'builtin';
	const short = head.length < SNIFF_BYTES && text.length < BUILTIN_MAGIC_PREFIX.length;
	return options.prefix && short && BUILTIN_MAGIC_PREFIX.startsWith(text) ? 'builtin' : null;
}

/** `sniffBackupFormat` of a file's first bytes. */
export async function fileBackupFormat(file: string): Promise<BackupFormat | null> {
	const handle = await open(file, 'r');
	try {
		const head = new Uint8Array(SNIFF_BYTES);
		const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
		return sniffBackupFormat(head.subarray(0, bytesRead));
	} finally {
		await handle.close();
	}
}
