/**
 * The lifecycle of a real built server (issue 12 §7), no browser: SIGTERM in the middle of a
 * dispatch drains and exits 0, and a second start on the same database finishes the queue with
 * every command received by the simulator exactly once; SIGHUP re-reads COMRADARR_ENV_FILE and
 * puts the new LOG_LEVEL and TRUSTED_PROXIES in force, saying what changed on one line.
 *
 * Each test starts its own simulator, database and servers (ops-processes.ts) on free ports.
 * The SIGHUP test needs the `log-level` reloader (services/settings/apply-settings.ts
 * `registerLogLevelReloader`, issue 12 §5) besides this module's `trusted-proxies` one.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type APIRequestContext } from '@playwright/test';
import {
	adminApi,
	commandsReceived,
	createDatabase,
	duplicates,
	freePort,
	radarrWithQueue,
	schedule,
	simFault,
	startServer,
	startSimulator,
	waitFor,
	waitHealthy,
	type Child,
	type Server,
	type TestDatabase
} from './ops-processes';

test.describe.configure({ mode: 'serial' });

const started: Child[] = [];
const contexts: APIRequestContext[] = [];
const databases: TestDatabase[] = [];
const dirs: string[] = [];

test.afterAll(async () => {
	for (const api of contexts) await api.dispose();
	for (const child of started.reverse()) await child.stop();
	for (const db of databases) await db.drop();
	for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The drain's bounded wait (s): the default, SHUTDOWN_TIMEOUT_SECONDS unset. */
const DRAIN_SECONDS = 20;
/** Every command POST takes this long at the simulator, so SIGTERM lands mid-dispatch (ms). */
const POST_DELAY_MS = 1_500;

test('SIGTERM mid-dispatch drains and exits 0; the next start sends the rest, each command exactly once', async () => {
	test.setTimeout(180_000);
	const simPort = await freePort();
	const sim = await startSimulator(simPort);
	started.push(sim);
	const db = await createDatabase(`comradarr_ops_life_${simPort}`);
	databases.push(db);
	await simFault(simPort, '/api/v3/command', { delayMs: POST_DELAY_MS, method: 'POST' });

	const env = {};
	const first: Server = startServer('life-1', await freePort(), db.url, env);
	started.push(first);
	await waitHealthy(first);
	const api = await adminApi(first.origin);
	contexts.push(api);
	const { queued } = await radarrWithQueue(api, db, simPort);
	expect(queued, 'the sweep queued enough commands to be cut in the middle').toBeGreaterThan(6);

	// Dispatch every second (the fast profile lets the whole queue through, one slow POST at a time).
	await schedule(api, 'dispatch', '* * * * * *');
	await waitFor(
		'two commands received and a third in flight',
		async () => {
			const received = await commandsReceived(simPort);
			return received.length >= 3 && received.at(-1)?.status === 0;
		},
		60_000
	);

	const signalledAt = Date.now();
	first.proc.kill('SIGTERM');
	// The listener closes first: a new connection is refused while the drain still runs.
	await waitFor(
		'the listener to close',
		async () =>
			(await fetch(`${first.origin}/health`).then(
				() => false,
				() => true
			)) || undefined,
		3_000,
		50
	);
	expect(first.alive(), 'still draining the POST in flight').toBe(true);
	const exit = await first.exited;
	const tookMs = Date.now() - signalledAt;
	console.log(`SIGTERM → exit ${exit.code} in ${tookMs} ms`);
	expect(exit).toEqual({ code: 0, signal: null });
	expect(tookMs).toBeLessThan((DRAIN_SECONDS + 3) * 1000);
	expect(first.logs().find((l) => l.msg === 'shutting down')?.timeoutSeconds).toBe(DRAIN_SECONDS);
	for (const line of first.logs().filter((l) => String(l.msg).startsWith('shutdown'))) {
		console.log(`  ${String(line.msg)} ${line.ms ?? ''} ms`);
	}
	const messages = first.logs().map((line) => String(line.msg));
	for (const phase of ['http', 'drain', 'hooks', 'pool']) {
		expect(messages, phase).toContain(`shutdown: ${phase} done`);
	}
	expect(messages).toContain('shutdown: complete');
	const drain = first.logs().find((line) => line.msg === 'shutdown: drain done');
	expect(drain?.abandoned, 'every run finished within the wait').toEqual([]);

	// What the first process left: nothing half-sent, and what it sent is what the app received.
	const afterFirst = await commandsReceived(simPort);
	const rows = (await db.sql`
		select status, arr_command_id from request_queue order by id`) as {
		status: string;
		arr_command_id: number | null;
	}[];
	expect(rows.filter((r) => r.status === 'sending')).toEqual([]);
	expect(rows.filter((r) => r.arr_command_id !== null)).toHaveLength(afterFirst.length);
	expect(rows.filter((r) => r.status === 'pending').length).toBeGreaterThan(0);

	// Start again on the same database, without the delay: the rest goes out, once each.
	await simFault(simPort, '/api/v3/command', null);
	const second = startServer('life-2', await freePort(), db.url, env);
	started.push(second);
	await waitHealthy(second);
	await waitFor(
		'the queue to be sent',
		async () => {
			const [left] = (await db.sql`
				select count(*)::int as n from request_queue where status in ('pending', 'sending')`) as {
				n: number;
			}[];
			return left?.n === 0;
		},
		90_000,
		500
	);
	const received = await commandsReceived(simPort);
	expect(duplicates(received.map((c) => c.key))).toEqual([]);
	const sent = (await db.sql`
		select count(*)::int as n from request_queue where arr_command_id is not null`) as {
		n: number;
	}[];
	expect(received).toHaveLength(queued);
	expect(sent[0]?.n).toBe(queued);
	await second.stop();
	expect(await second.exited).toEqual({ code: 0, signal: null });
});

test('SIGHUP re-reads COMRADARR_ENV_FILE: a new LOG_LEVEL and TRUSTED_PROXIES apply at once', async () => {
	test.setTimeout(90_000);
	const dir = mkdtempSync(path.join(os.tmpdir(), 'comradarr-envfile-'));
	dirs.push(dir);
	const envFile = path.join(dir, 'comradarr.env');
	writeFileSync(envFile, 'LOG_LEVEL=info\nTRUSTED_PROXIES=127.0.0.3\n');
	const port = await freePort();
	const db = await createDatabase(`comradarr_ops_hup_${port}`);
	databases.push(db);
	const server = startServer('hup', port, db.url, {
		LOG_LEVEL: 'info',
		TRUSTED_PROXIES: '127.0.0.3',
		COMRADARR_ENV_FILE: envFile
	});
	started.push(server);
	await waitHealthy(server);
	/** HSTS is sent only when a trusted proxy says the client came over https (guard.ts). */
	const hsts = async () =>
		(
			await fetch(`${server.origin}/health`, {
				headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.7' }
			})
		).headers.get('strict-transport-security');
	expect(await hsts(), 'this test runs from 127.0.0.1, not a trusted proxy yet').toBeNull();

	const reloads = () => server.logs().filter((l) => String(l.msg).startsWith('SIGHUP:'));
	// An invalid list is refused, naming the bad entry; the old one stays in force.
	writeFileSync(envFile, 'LOG_LEVEL=info\nTRUSTED_PROXIES=127.0.0.1, 10.0.0.0/33\nPORT=1\n');
	server.proc.kill('SIGHUP');
	const refused = await waitFor(
		'the refusal',
		() => reloads().find((l) => String(l.msg).startsWith('SIGHUP: refused')),
		10_000
	);
	expect(String(refused.msg)).toMatch(
		/refused trusted-proxies: TRUSTED_PROXIES invalid CIDR "10\.0\.0\.0\/33"/
	);
	const summary = await waitFor(
		'the summary line',
		() => reloads().find((l) => String(l.msg).startsWith('SIGHUP: configuration reloaded')),
		10_000
	);
	expect(String(summary.msg)).toContain('needs a restart: PORT');
	expect(await hsts()).toBeNull();

	const debug = () => server.logs().filter((l) => l.level === 20);
	expect(debug(), 'no debug line while the level is info').toEqual([]);
	writeFileSync(envFile, '# reloadable\nLOG_LEVEL=debug\nTRUSTED_PROXIES="127.0.0.1"\n');
	const before = reloads().length;
	server.proc.kill('SIGHUP');
	const line = await waitFor(
		'the reload line',
		() =>
			reloads()
				.slice(before)
				.find((l) => String(l.msg).startsWith('SIGHUP: configuration reloaded')),
		10_000
	);
	expect(String(line.msg)).toContain('trusted proxies 127.0.0.3 → 127.0.0.1');
	expect(String(line.msg)).toContain('log level info → debug');
	expect(line.refused).toEqual([]);
	// The forwarded header is now believed, and debug lines are written (`job started` of the
	// scheduled jobs: notifications.route runs every 10 s) where there were none at info.
	expect(await hsts()).toBe('max-age=31536000; includeSubDomains');
	await waitFor('a debug line', () => debug().length > 0, 20_000);
	expect(server.alive()).toBe(true);
});
