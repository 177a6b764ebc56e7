/**
 * Real processes for the lifecycle and replica specs (ops-lifecycle.spec.ts, ops-replicas.spec.ts):
 * built servers (`bun scripts/serve.ts`), an *arr simulator (`bun tests/arr-sim/main.ts`), and a
 * fresh database on TEST_DATABASE_URL's server (else on an embedded PostgreSQL). Each spec starts
 * its own, on its own ports, and stops them in afterAll. Loopback only; every wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SQL } from 'bun';
import { expect, request, type APIRequestContext } from '@playwright/test';

/** The simulator's Radarr key (tests/arr-sim/main.ts). */
export const RADARR_KEY = 'fedcba9876543210fedcba9876543210';
/** One SECRET_KEY for every process of a spec: they share the stored, encrypted API keys. */
export const SECRET_KEY = 'ops-e2e-secret-key-0123456789abcdef0123456789';
const ADMIN = { username: 'admin', password: 'correct horse battery' };

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = net.createServer();
		probe.on('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const address = probe.address();
			probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
		});
	});
}

/** Waits until `check` returns a value that is not undefined/false, polling every `everyMs`. */
export async function waitFor<T>(
	what: string,
	check: () => Promise<T | undefined | false> | T | undefined | false,
	timeoutMs: number,
	everyMs = 200
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value !== undefined && value !== false) return value;
		if (Date.now() > deadline) {
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		}
		await new Promise((r) => setTimeout(r, everyMs));
	}
}

/** A fresh database on TEST_DATABASE_URL's server, and a client on it for the spec's checks. */
export interface TestDatabase {
	url: string;
	sql: SQL;
	drop(): Promise<void>;
}

let embedded: Promise<{ url: string; stop(): Promise<void>; dir: string }> | undefined;
/** Test databases not dropped yet: the embedded server stops when the last one is. */
let open = 0;

/**
 * The server for the test databases: TEST_DATABASE_URL's, else an embedded PostgreSQL started
 * for this worker in a temporary folder (a fresh machine needs nothing installed), stopped by the
 * last `drop()`.
 */
async function serverUrl(): Promise<string> {
	if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
	embedded ??= (async () => {
		const { startEmbeddedPostgres } = await import('../../src/lib/server/db/embedded');
		const dir = mkdtempSync(path.join(os.tmpdir(), 'comradarr-ops-pg-'));
		const server = await startEmbeddedPostgres(dir);
		return { url: server.url, stop: () => server.stop(), dir };
	})();
	return (await embedded).url;
}

/** Creates (after dropping an old one) database `name` (see `serverUrl` for where). */
export async function createDatabase(name: string): Promise<TestDatabase> {
	const base = await serverUrl();
	open++;
	const admin = new SQL(base, { max: 1 });
	await admin.unsafe(`drop database if exists ${name} with (force)`);
	await admin.unsafe(`create database ${name}`);
	await admin.close();
	const url = new URL(base);
	url.pathname = `/${name}`;
	const sql = new SQL(url.toString(), { max: 2 });
	return {
		url: url.toString(),
		sql,
		async drop() {
			await sql.close();
			const again = new SQL(base, { max: 1 });
			await again.unsafe(`drop database if exists ${name} with (force)`);
			await again.close();
			open--;
			if (embedded && open === 0) {
				const server = await embedded;
				embedded = undefined;
				await server.stop();
				rmSync(server.dir, { recursive: true, force: true });
			}
		}
	};
}

/** A running child process with its output kept. */
export interface Child {
	name: string;
	proc: ChildProcess;
	/** Everything it wrote (stdout and stderr). */
	output(): string;
	/** Its JSON log lines (pino), parsed. */
	logs(): Record<string, unknown>[];
	/** Resolves with the exit code (null when killed by a signal) and the signal. */
	exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
	/** Whether it is still running. */
	alive(): boolean;
	/** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
	stop(graceMs?: number): Promise<void>;
}

function startChild(name: string, args: string[], env: Record<string, string>): Child {
	const proc = spawn('bun', args, {
		env: { ...process.env, ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let text = '';
	// Kept for a look after the run: .test-results/ops-<name>.log.
	const file = path.resolve(`.test-results/ops-${name}.log`);
	mkdirSync(path.dirname(file), { recursive: true });
	writeFileSync(file, '');
	const take = (chunk: Buffer) => {
		text += chunk.toString();
		appendFileSync(file, chunk);
	};
	proc.stdout?.on('data', take);
	proc.stderr?.on('data', take);
	let running = true;
	const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
		proc.once('exit', (code, signal) => {
			running = false;
			resolve({ code, signal });
		})
	);
	return {
		name,
		proc,
		output: () => text,
		logs: () =>
			text
				.split('\n')
				.filter((line) => line.startsWith('{'))
				.flatMap((line) => {
					try {
						return [JSON.parse(line) as Record<string, unknown>];
					} catch {
						return [];
					}
				}),
		exited,
		alive: () => running,
		async stop(graceMs = 30_000) {
			if (!running) return;
			proc.kill('SIGTERM');
			const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
			await exited;
			clearTimeout(timer);
		}
	};
}

/** Starts the simulator on `port` and waits until it answers. */
export async function startSimulator(port: number): Promise<Child> {
	const sim = startChild('arr-sim', ['tests/arr-sim/main.ts'], {
		SIM_PORT: String(port),
		SIM_SERIES: '3',
		SIM_MOVIES: '80',
		SIM_LARGE_SERIES: '0'
	});
	await waitFor(
		'the simulator',
		async () => (await fetch(`http://127.0.0.1:${port}/__sim/state`).catch(() => null))?.ok,
		30_000
	);
	return sim;
}

/** A built server's process, its origin and its data directory. */
export interface Server extends Child {
	port: number;
	origin: string;
}

/**
 * Starts `bun scripts/serve.ts` on `port` against `databaseUrl` (no wait; see `waitHealthy`).
 * @param env more environment (LOG_LEVEL, SHUTDOWN_TIMEOUT_SECONDS, COMRADARR_ENV_FILE…)
 */
export function startServer(
	name: string,
	port: number,
	databaseUrl: string,
	env: Record<string, string> = {}
): Server & { dataDir: string } {
	const dataDir = mkdtempSync(path.join(os.tmpdir(), `comradarr-${name}-`));
	const child = startChild(name, ['scripts/serve.ts'], {
		PORT: String(port),
		HOST: '127.0.0.1',
		DATABASE_URL: databaseUrl,
		DATA_DIR: dataDir,
		SECRET_KEY,
		LOG_LEVEL: 'debug',
		...env
	});
	void child.exited.then(() => rmSync(dataDir, { recursive: true, force: true }));
	return { ...child, port, origin: `http://127.0.0.1:${port}`, dataDir };
}

/** Waits until `server` answers /health (throws with its output when it exits first). */
export async function waitHealthy(server: Server, timeoutMs = 60_000): Promise<void> {
	await waitFor(
		`${server.name} /health`,
		async () => {
			if (!server.alive()) {
				throw new Error(`${server.name} exited before it was healthy:\n${server.output()}`);
			}
			return (await fetch(`${server.origin}/health`).catch(() => null))?.ok;
		},
		timeoutMs,
		250
	);
}

/**
 * An API client of `origin` signed in as the admin (created through the set-up form when the
 * database is fresh, else logged in). State-changing calls must pass `ORIGIN_OF(origin)`.
 */
export async function adminApi(origin: string): Promise<APIRequestContext> {
	const api = await request.newContext({ baseURL: origin, extraHTTPHeaders: { Origin: origin } });
	// Accept: text/html, or SvelteKit answers a form post with JSON instead of the redirect.
	const setup = await api.post('/setup', {
		headers: { accept: 'text/html' },
		form: { username: ADMIN.username, password: ADMIN.password, confirmPassword: ADMIN.password },
		maxRedirects: 0
	});
	const location = setup.headers()['location'] ?? '';
	if (!location.endsWith('/dashboard')) {
		const login = await api.post('/login', {
			headers: { accept: 'text/html' },
			form: { username: ADMIN.username, password: ADMIN.password },
			maxRedirects: 0
		});
		expect(login.status(), await login.text()).toBe(303);
	}
	expect((await api.get('/api/v1/connectors')).status()).toBe(200);
	return api;
}

/** A throttle profile that lets the test's queue through quickly (1 item per command). */
export async function fastProfile(db: TestDatabase): Promise<number> {
	const [row] = (await db.sql`
		insert into throttle_profiles (name, max_commands_per_window, window_seconds,
			max_items_per_command, daily_search_budget, search_cooldown_hours, max_in_flight)
		values ('E2E fast', 200, 60, 1, 100000, 1, 50)
		returning id`) as { id: number }[];
	if (!row) throw new Error('no profile inserted');
	return row.id;
}

/**
 * Adds the simulator's Radarr as a connector on the fast profile, syncs it and sweeps its gaps.
 * @returns the connector's id and how many requests the sweep queued
 */
export async function radarrWithQueue(
	api: APIRequestContext,
	db: TestDatabase,
	simPort: number
): Promise<{ connectorId: number; queued: number }> {
	const created = await api.post('/api/v1/connectors', {
		data: {
			type: 'radarr',
			name: 'Ops Radarr',
			url: `http://127.0.0.1:${simPort}/radarr`,
			apiKey: RADARR_KEY
		}
	});
	expect(created.status(), await created.text()).toBe(201);
	const { id } = (await created.json()) as { id: number };
	const profile = await fastProfile(db);
	await db.sql`update connectors set throttle_profile_id = ${profile} where id = ${id}`;
	for (const [path, body] of [
		[`/api/v1/connectors/${id}/sync`, undefined],
		[`/api/v1/connectors/${id}/sweep`, { type: 'gaps' }]
	] as const) {
		const started = await api.post(path, body ? { data: body } : {});
		expect(started.status(), await started.text()).toBe(202);
		const { job } = (await started.json()) as { job: { id: number } };
		await waitFor(
			`job ${job.id} (${path})`,
			async () => {
				const run = (await (await api.get(`/api/v1/jobs/${job.id}`)).json()) as {
					status: string;
				};
				if (run.status === 'failed') throw new Error(`${path} failed: ${JSON.stringify(run)}`);
				return run.status === 'success' || run.status === 'partial';
			},
			60_000,
			300
		);
	}
	const [{ queued } = { queued: 0 }] = (await db.sql`
		select count(*)::int as queued from request_queue where connector_id = ${id}`) as {
		queued: number;
	}[];
	return { connectorId: id, queued };
}

/** Sets a built-in job's schedule (`cron` may have seconds) through the API. */
export async function schedule(api: APIRequestContext, job: string, cron: string): Promise<void> {
	const response = await api.patch(`/api/v1/schedules/built-in/${job}`, { data: { cron } });
	expect(response.status(), await response.text()).toBe(200);
}

/** A command POST the simulator received: its body's identity and whether it was answered. */
export interface SimCommand {
	key: string;
	status: number;
	at: number;
}

/** Every `POST /api/v3/command` the simulator's Radarr received, in order. */
export async function commandsReceived(simPort: number): Promise<SimCommand[]> {
	const all = (await (
		await fetch(`http://127.0.0.1:${simPort}/__sim/requests?instance=/radarr`)
	).json()) as { method: string; path: string; body: unknown; status: number; at: number }[];
	return all
		.filter((r) => r.method === 'POST' && r.path === '/api/v3/command')
		.map((r) => ({ key: commandKey(r.body), status: r.status, at: r.at }));
}

/** `MoviesSearch:1,5` — the identity of a search command body (ids sorted). */
export function commandKey(body: unknown): string {
	const b = (body ?? {}) as { name?: string; movieIds?: number[] };
	return `${b.name}:${[...(b.movieIds ?? [])].sort((x, y) => x - y).join(',')}`;
}

/** Keys that occur more than once. */
export function duplicates(keys: string[]): string[] {
	const seen = new Map<string, number>();
	for (const key of keys) seen.set(key, (seen.get(key) ?? 0) + 1);
	return [...seen].filter(([, n]) => n > 1).map(([key]) => key);
}

/** Sets a simulator fault (see tests/arr-sim/instance.ts `SimFault`); `null` clears it. */
export async function simFault(
	simPort: number,
	pathPrefix: string,
	fault: Record<string, unknown> | null
): Promise<void> {
	const response = await fetch(`http://127.0.0.1:${simPort}/__sim/fault`, {
		method: 'POST',
		body: JSON.stringify({ urlBase: '/radarr', pathPrefix, fault })
	});
	expect(response.ok).toBe(true);
}
