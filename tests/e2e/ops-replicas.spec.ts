/**
 * Several replicas on one database (issue 12 §8), no browser: two real built servers started at
 * the same instant on one fresh PostgreSQL database (their migrations race), one simulator.
 * - both come up, and the migrations were applied once;
 * - every tick of a periodic job is run by one process only (the other records it `skipped`);
 * - no command reaches the simulator twice;
 * - SIGKILL of the process holding the dispatch job (in the middle of a POST) → the other takes
 *   the job over within one tick (the advisory lock dies with the killed process's connections),
 *   marks the dead process's run interrupted, and every frequent job goes on running.
 */
import { readdirSync } from 'node:fs';
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
let db: TestDatabase | undefined;

test.afterAll(async () => {
	for (const api of contexts) await api.dispose();
	for (const child of started.reverse()) await child.stop();
	await db?.drop();
});

/** The period of the jobs the test watches (s): `dispatch` and `health` tick this often. */
const TICK_SECONDS = 2;

/** Run ids this server started (its `job started` debug lines), by job. */
function runsOf(server: Server): Map<number, string> {
	const runs = new Map<number, string>();
	for (const line of server.logs()) {
		if (line.msg === 'job started') runs.set(Number(line.runId), String(line.job));
	}
	return runs;
}

interface RunRow {
	id: number;
	job: string;
	status: string;
	message: string | null;
	error: string | null;
	created_at: Date;
}

test('two replicas on one database: one leader per tick, no command twice, take-over after SIGKILL', async () => {
	test.setTimeout(240_000);
	const simPort = await freePort();
	const sim = await startSimulator(simPort);
	started.push(sim);
	db = await createDatabase(`comradarr_ops_replicas_${simPort}`);
	const database = db;

	// Both at once, on an empty database: each runs the migrations at start-up.
	const a = startServer('replica-a', await freePort(), database.url);
	const b = startServer('replica-b', await freePort(), database.url);
	started.push(a, b);
	await Promise.all([waitHealthy(a), waitHealthy(b)]);
	const migrations = readdirSync('drizzle').filter((f) => f.endsWith('.sql')).length;
	const [applied] = (await database.sql`
		select count(*)::int as n, count(distinct hash)::int as distinct_n
		from drizzle.__drizzle_migrations`) as { n: number; distinct_n: number }[];
	expect(applied).toEqual({ n: migrations, distinct_n: migrations });

	const apiA = await adminApi(a.origin);
	const apiB = await adminApi(b.origin);
	contexts.push(apiA, apiB);
	const { queued } = await radarrWithQueue(apiA, database, simPort);
	console.log(`queued ${queued} commands`);
	expect(queued).toBeGreaterThan(6);

	// Slow POSTs keep a dispatch run (and its lock) alive for seconds at a time.
	await simFault(simPort, '/api/v3/command', { delayMs: 1_500, method: 'POST' });
	const since = new Date();
	// Set through B, run by both: the change reaches A by NOTIFY.
	await schedule(apiB, 'health', `*/${TICK_SECONDS} * * * * *`);
	await schedule(apiB, 'dispatch', `*/${TICK_SECONDS} * * * * *`);

	// Let both schedulers tick for a while.
	await waitFor(
		'several health ticks',
		async () => {
			const [row] = (await database.sql`
				select count(*)::int as n from job_runs
				where job = 'health' and created_at >= ${since} and status <> 'skipped'`) as {
				n: number;
			}[];
			return (row?.n ?? 0) >= 4;
		},
		60_000,
		500
	);
	const runs = (await database.sql`
		select id, job, status, message, error, created_at from job_runs
		where job = 'health' and trigger = 'schedule' and created_at >= ${since}
		order by id`) as RunRow[];
	// Both processes fired every tick: one ran it, the other recorded it skipped.
	const perTick = new Map<number, RunRow[]>();
	for (const run of runs) {
		const tick = Math.floor(run.created_at.getTime() / (TICK_SECONDS * 1000));
		perTick.set(tick, [...(perTick.get(tick) ?? []), run]);
	}
	for (const [tick, rows] of perTick) {
		const ran = rows.filter((r) => r.status !== 'skipped');
		expect(ran.length, `tick ${tick}: ${JSON.stringify(rows)}`).toBeLessThanOrEqual(1);
	}
	const byA = runsOf(a);
	const byB = runsOf(b);
	const ranHealth = runs.filter((r) => r.status !== 'skipped');
	expect(ranHealth.every((r) => byA.has(r.id) !== byB.has(r.id))).toBe(true);
	expect(
		runs.filter((r) => r.status === 'skipped').length,
		'the other process saw the ticks it did not run'
	).toBeGreaterThan(0);

	// Find the process running a dispatch pass with a POST in flight, and kill it.
	const victim = await waitFor(
		'a dispatch run with a POST in flight',
		async () => {
			const [running] = (await database.sql`
				select id from job_runs where job = 'dispatch' and status = 'running'`) as { id: number }[];
			const inFlight = (await commandsReceived(simPort)).at(-1)?.status === 0;
			if (!running || !inFlight) return undefined;
			if (runsOf(a).has(running.id)) return { server: a, other: b, runId: running.id };
			if (runsOf(b).has(running.id)) return { server: b, other: a, runId: running.id };
			return undefined;
		},
		60_000,
		100
	);
	const killedAt = new Date();
	victim.server.proc.kill('SIGKILL');
	await victim.server.exited;

	// The other process's first dispatch run after the kill: the take-over.
	const takeover = await waitFor(
		'the take-over',
		async () => {
			const mine = runsOf(victim.other);
			const rows = (await database.sql`
				select id, created_at from job_runs
				where job = 'dispatch' and status <> 'skipped' and created_at >= ${killedAt}
				order by id`) as { id: number; created_at: Date }[];
			return rows.find((r) => mine.has(r.id));
		},
		30_000,
		100
	);
	const takeoverMs = takeover.created_at.getTime() - killedAt.getTime();
	console.log(
		`take-over of dispatch by ${victim.other.name} after SIGKILL of ${victim.server.name}: ${takeoverMs} ms (tick ${TICK_SECONDS} s)`
	);
	expect(takeoverMs).toBeLessThanOrEqual(TICK_SECONDS * 1000 + 1_000);
	// The killed process's run no longer reads as live.
	const [dead] = (await database.sql`
		select status, error from job_runs where id = ${victim.runId}`) as RunRow[];
	expect(dead).toEqual({ status: 'failed', error: 'Interrupted by a restart before it finished.' });

	// Every frequent job goes on in the survivor (track-commands every 15 s, notifications 10 s).
	for (const job of ['health', 'dispatch', 'track-commands', 'notifications.route']) {
		await waitFor(
			`${job} to run in ${victim.other.name}`,
			async () => {
				const mine = runsOf(victim.other);
				const rows = (await database.sql`
					select id from job_runs where job = ${job} and status <> 'skipped'
					and created_at > ${killedAt}`) as { id: number }[];
				return rows.some((r) => mine.has(r.id));
			},
			30_000,
			500
		);
	}

	// No command twice, whoever sent it (the killed one's POST in flight stays `sending` for
	// recovery, which waits IN_FLIGHT_GRACE_MS before it looks: nothing re-sent it meanwhile).
	await simFault(simPort, '/api/v3/command', null);
	await waitFor(
		'the survivor to send the rest of the queue',
		async () => {
			const [left] = (await database.sql`
				select count(*) filter (where status = 'pending')::int as pending,
					count(*) filter (where status = 'sending')::int as sending
				from request_queue`) as { pending: number; sending: number }[];
			return left !== undefined && left.pending === 0 && left.sending <= 1;
		},
		60_000,
		500
	);
	const received = await commandsReceived(simPort);
	expect(duplicates(received.map((c) => c.key))).toEqual([]);
	const [rows] = (await database.sql`
		select count(*)::int as n from request_queue where arr_command_id is not null or status = 'sending'`) as {
		n: number;
	}[];
	expect(rows?.n).toBe(received.length);
});
