/**
 * Logs people can read (issue 12 §5, §6): the bounded ring of recent lines, `GET /api/v1/logs`
 * with its filters and validation, the correlation id of a real request on the lines logged
 * inside it, the request id in every API error body, a saved log level followed by another
 * connection's listener, the SIGHUP reloader, and /health's process figures.
 *
 * Lines reach the ring through pino with the app's own options (`LOGGER_OPTIONS`) and the app's
 * own tee destination; the app's logger itself writes into the app's ring (`logRing`).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { RequestEvent } from '@sveltejs/kit';
import { SQL } from 'bun';
import { drizzle } from 'drizzle-orm/bun-sql';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { resetDb, testDb } from '../helpers/db';
import { openDatabase, type Database } from '../../src/lib/server/db';
import { appSettings } from '../../src/lib/server/db/schema';
import { createApiKey } from '../../src/lib/server/auth/api-keys';
import { createUser } from '../../src/lib/server/auth/users';
import { createGuardHandle } from '../../src/lib/server/http/guard';
import { parseAllowedHosts } from '../../src/lib/server/http/allowed-hosts';
import {
	LOGGER_OPTIONS,
	currentLogLevel,
	logRing,
	logger,
	moduleLogger,
	setLogLevel,
	teeDestination
} from '../../src/lib/server/logger';
import { LogRing, RING_MAX_BYTES, RING_MAX_LINES } from '../../src/lib/server/log-ring';
import { runReloaders } from '../../src/lib/server/reload';
import type { Runtime } from '../../src/lib/server/runtime';
import {
	followLogLevel,
	registerLogLevelReloader
} from '../../src/lib/server/services/settings/apply-settings';
import {
	getSettings,
	invalidateSettingsCache,
	updateSettings
} from '../../src/lib/server/services/settings/settings-service';
import { SCHEDULES_CHANNEL } from '../../src/lib/server/services/schedule/changes';
import type { LogsPage } from '../../src/lib/types/logs';
import * as logsRoute from '../../src/routes/api/v1/logs/+server';
import * as healthRoute from '../../src/routes/health/+server';

/** Where a test's loggers write besides the ring: nowhere. */
const sink = { write: () => undefined };

/** A logger with the app's options writing into `ring` only (nothing on stdout). */
function ringLogger(ring: LogRing, level: pino.LevelWithSilent = 'trace'): pino.Logger {
	return pino({ ...LOGGER_OPTIONS, level }, teeDestination(ring, sink));
}

/** A module name no other test uses, so a query of the shared app ring sees only this test's lines. */
function uniqueModule(name: string): string {
	return `${name}-${Math.random().toString(36).slice(2, 8)}`;
}

type Handler = (event: RequestEvent) => Promise<Response> | Response;

/** Calls a route handler directly with a GET of `path`. */
async function get(handler: unknown, path: string): Promise<Response> {
	const url = new URL(`http://comradarr.lan${path}`);
	const event = {
		url,
		request: new Request(url),
		params: {},
		locals: {},
		route: { id: url.pathname }
	} as unknown as RequestEvent;
	return (handler as Handler)(event);
}

async function logsOf(path: string): Promise<LogsPage> {
	const response = await get(logsRoute.GET, path);
	expect(response.status, await response.clone().text()).toBe(200);
	return (await response.json()) as LogsPage;
}

afterEach(() => {
	// Tests run silent (LOGGER_OPTIONS under VITEST); a test that raised the level puts it back.
	setLogLevel('silent');
});

describe('the ring of recent lines', () => {
	it('keeps at most maxLines lines, drops the oldest and numbers every line in order', () => {
		const ring = new LogRing({ maxLines: 10 });
		const log = ringLogger(ring).child({ module: 'ring' });
		for (let i = 1; i <= 25; i++) log.info({ i }, `line ${i}`);
		expect(ring.size).toBe(10);
		expect(ring.lastSeq).toBe(25);
		expect(ring.oldestSeq).toBe(16);
		const kept = [...ring.ascending()];
		expect(kept.map((e) => e.seq)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
		expect(kept.map((e) => JSON.parse(e.line).msg)).toEqual(
			Array.from({ length: 10 }, (_, k) => `line ${k + 16}`)
		);
		expect(ring.get(15)).toBeUndefined();
		expect(kept.every((e) => e.module === 'ring' && e.level === 30)).toBe(true);
	});

	it('keeps at most maxBytes bytes of line text, whatever the line count', () => {
		const ring = new LogRing({ maxLines: 1000, maxBytes: 4000 });
		const log = ringLogger(ring);
		for (let i = 0; i < 100; i++) log.info({ pad: 'x'.repeat(300) }, `wide ${i}`);
		expect(ring.bytes).toBeLessThanOrEqual(4000);
		expect(ring.size).toBeGreaterThan(5);
		expect(ring.size).toBeLessThan(15);
		expect(ring.bytes).toBe([...ring.ascending()].reduce((sum, e) => sum + e.bytes, 0));
		expect(JSON.parse(ring.get(ring.lastSeq)!.line).msg).toBe('wide 99');
	});

	it('is bounded by default at 5,000 lines and 5 MiB', () => {
		expect(RING_MAX_LINES).toBe(5000);
		expect(RING_MAX_BYTES).toBe(5 * 1024 * 1024);
		const ring = new LogRing();
		const log = ringLogger(ring);
		for (let i = 0; i < 5100; i++) log.debug(`short ${i}`);
		expect(ring.size).toBe(5000);
		expect(ring.oldestSeq).toBe(101);
		const wide = 'y'.repeat(10_000);
		for (let i = 0; i < 600; i++) log.info({ wide }, `wide ${i}`);
		expect(ring.bytes).toBeLessThanOrEqual(5 * 1024 * 1024);
		expect(ring.size).toBeLessThan(600);
	});

	it("is where the app's own logger writes, besides stdout", () => {
		setLogLevel('warn');
		const before = logRing.lastSeq;
		const module = uniqueModule('tee');
		moduleLogger(module).warn({ connectorId: 3 }, 'written by the app logger');
		moduleLogger(module).info('below the level: not written');
		expect(logRing.lastSeq).toBe(before + 1);
		const entry = logRing.get(logRing.lastSeq)!;
		expect(entry.module).toBe(module);
		expect(JSON.parse(entry.line)).toMatchObject({ msg: 'written by the app logger', level: 40 });
		expect(logger.level).toBe('warn');
	});
});

describe('GET /api/v1/logs', () => {
	const module = uniqueModule('api');
	const other = uniqueModule('other');
	let first = 0;

	beforeAll(() => {
		const log = ringLogger(logRing);
		first = logRing.lastSeq + 1;
		const mine = log.child({ module });
		mine.debug({ step: 1 }, 'Sweep planned');
		mine.info({ step: 2 }, 'sweep STARTED for Sonarr');
		mine.warn({ step: 3 }, 'connector slow');
		mine.error({ step: 4 }, 'sweep failed');
		log.child({ module: other }).error({ step: 5 }, 'another module failed');
	});

	it('lists the lines newest first with their fields, and the modules seen', async () => {
		const page = await logsOf(`/api/v1/logs?module=${module}`);
		expect(page.lines.map((l) => l.msg)).toEqual([
			'sweep failed',
			'connector slow',
			'sweep STARTED for Sonarr',
			'Sweep planned'
		]);
		const [newest] = page.lines;
		expect(newest).toMatchObject({
			seq: first + 3,
			level: 'error',
			module,
			cid: null,
			rest: { step: 4 }
		});
		expect(new Date(newest!.time).toISOString()).toBe(newest!.time);
		expect(page.modules).toEqual(expect.arrayContaining([module, other]));
		expect(page.capacity).toEqual({ lines: 5000, bytes: 5 * 1024 * 1024 });
		expect(page.nextAfter).toBe(logRing.lastSeq);
	});

	it('keeps the level asked for and the ones above it', async () => {
		const warn = await logsOf(`/api/v1/logs?module=${module}&level=warn`);
		expect(warn.lines.map((l) => l.level)).toEqual(['error', 'warn']);
		const info = await logsOf(`/api/v1/logs?module=${module}&level=info`);
		expect(info.lines.map((l) => l.level)).toEqual(['error', 'warn', 'info']);
		const everything = await logsOf(`/api/v1/logs?level=error`);
		expect(everything.lines.every((l) => l.level === 'error' || l.level === 'fatal')).toBe(true);
		expect(everything.lines.map((l) => l.module)).toEqual(expect.arrayContaining([module, other]));
	});

	it('finds text anywhere in the line, whatever its case', async () => {
		const page = await logsOf(`/api/v1/logs?module=${module}&q=SWEEP`);
		expect(page.lines.map((l) => l.msg)).toEqual([
			'sweep failed',
			'sweep STARTED for Sonarr',
			'Sweep planned'
		]);
		const byField = await logsOf(`/api/v1/logs?q=${encodeURIComponent(`"step":5`)}`);
		expect(byField.lines.map((l) => l.module)).toEqual([other]);
	});

	it('answers only the lines after `after`, oldest first when capped, so a tail has no gap', async () => {
		const tail = await logsOf(`/api/v1/logs?module=${module}&after=${first + 1}`);
		expect(tail.lines.map((l) => l.seq)).toEqual([first + 3, first + 2]);
		const capped = await logsOf(`/api/v1/logs?module=${module}&after=${first - 1}&limit=2`);
		expect(capped.lines.map((l) => l.seq)).toEqual([first + 1, first]);
		expect(capped.nextAfter).toBe(first + 1);
		const rest = await logsOf(`/api/v1/logs?module=${module}&after=${capped.nextAfter}&limit=2`);
		expect(rest.lines.map((l) => l.seq)).toEqual([first + 3, first + 2]);
		const none = await logsOf(`/api/v1/logs?module=${module}&after=${logRing.lastSeq}`);
		expect(none.lines).toEqual([]);
		expect(none.nextAfter).toBe(logRing.lastSeq);
	});

	it('pages back with `before` and says when nothing older is left', async () => {
		const newest = await logsOf(`/api/v1/logs?module=${module}&limit=3`);
		expect(newest.lines.map((l) => l.seq)).toEqual([first + 3, first + 2, first + 1]);
		expect(newest.nextBefore).toBe(first + 1);
		const older = await logsOf(`/api/v1/logs?module=${module}&limit=3&before=${newest.nextBefore}`);
		expect(older.lines.map((l) => l.seq)).toEqual([first]);
		expect(older.nextBefore).toBeNull();
	});

	it('refuses bad values with 400 naming each field', async () => {
		for (const [query, field] of [
			['level=loud', 'level'],
			['limit=0', 'limit'],
			['limit=1001', 'limit'],
			['limit=ten', 'limit'],
			['after=-1', 'after'],
			['after=1.5', 'after'],
			['before=0', 'before'],
			['module=two%20words', 'module'],
			[`q=${'x'.repeat(201)}`, 'q']
		] as const) {
			const response = await get(logsRoute.GET, `/api/v1/logs?${query}`);
			expect(response.status, query).toBe(400);
			const body = (await response.json()) as {
				error: { code: string; fields: Record<string, string> };
			};
			expect(body.error.code, query).toBe('validation.failed');
			expect(Object.keys(body.error.fields), query).toEqual([field]);
		}
	});
});

describe('requests through the guard', () => {
	let db: Database;
	let key = '';
	let readKey = '';
	const handle = () =>
		createGuardHandle({ db: () => db, hostPolicy: () => parseAllowedHosts('comradarr.lan') });

	/** A request through the guard to the real logs route (or to nothing, for an unknown path). */
	async function request(
		path: string,
		init: { key?: string; method?: string; routeId?: string | null } = {}
	): Promise<Response> {
		const url = new URL(`http://comradarr.lan${path}`);
		const headers: Record<string, string> = { host: url.host };
		if (init.key) headers['x-api-key'] = init.key;
		const event = {
			url,
			request: new Request(url, { method: init.method ?? 'GET', headers }),
			cookies: { get: () => undefined, set: () => {}, delete: () => {}, serialize: () => '' },
			locals: {},
			params: {},
			route: { id: init.routeId === undefined ? '/api/v1/logs' : init.routeId },
			isDataRequest: false,
			isRemoteRequest: false,
			getClientAddress: () => '127.0.0.1'
		} as unknown as RequestEvent;
		return handle()({
			event,
			resolve: async (e) => (logsRoute.GET as unknown as Handler)(e)
		});
	}

	beforeAll(async () => {
		db = await testDb();
	});
	beforeEach(async () => {
		await resetDb(db);
		const user = await createUser(db, {
			username: 'admin',
			password: 'correct horse battery staple'
		});
		key = (await createApiKey(db, { userId: user.id, name: 'logs', readOnly: false })).key;
		readKey = (await createApiKey(db, { userId: user.id, name: 'dashboard', readOnly: true })).key;
	});

	it('puts the request id of the X-Request-Id header into every error body', async () => {
		const answers = {
			unauthenticated: await request('/api/v1/logs'),
			invalid: await request('/api/v1/logs?level=loud', { key }),
			unknown: await request('/api/v1/nothing-here', { key, routeId: null }),
			readOnly: await request('/api/v1/logs', { key: readKey, method: 'DELETE' }),
			badPath: await request('/api/v1%2Flogs', { key, routeId: null })
		};
		const statuses: Record<string, number> = {};
		for (const [what, response] of Object.entries(answers)) {
			statuses[what] = response.status;
			const header = response.headers.get('x-request-id');
			expect(header, what).toMatch(/^[0-9a-f-]{36}$/);
			const text = await response.text();
			const body = JSON.parse(text) as { error: { code: string; requestId?: string } };
			expect(body.error?.requestId, `${what}: ${text}`).toBe(header);
			expect(body.error.requestId, `${what}: ${body.error.code}`).toBe(header);
		}
		expect(statuses).toEqual({
			unauthenticated: 401,
			invalid: 400,
			unknown: 404,
			readOnly: 403,
			badPath: 400
		});
		// Each request has its own id.
		const ids = new Set(Object.values(answers).map((r) => r.headers.get('x-request-id')));
		expect(ids.size).toBe(5);
	});

	it('refuses the log lines to a read-only key: they show refused usernames and client addresses', async () => {
		const refused = await request('/api/v1/logs', { key: readKey });
		expect(refused.status).toBe(403);
		expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
			'auth.read_only'
		);
		expect((await request('/api/v1/logs', { key })).status).toBe(200);
	});

	it('gives every line logged while a request is handled its request id as cid', async () => {
		setLogLevel('warn');
		// A stored section that no longer validates: the guard's settings read logs a warning
		// (module settings) while it handles the request, without being told any id.
		await db
			.insert(appSettings)
			.values({ key: 'search', value: { weights: 'not an object' } })
			.onConflictDoUpdate({ target: appSettings.key, set: { value: { weights: 'nope' } } });
		invalidateSettingsCache();
		const response = await request('/api/v1/logs?module=settings', { key });
		expect(response.status).toBe(200);
		const requestId = response.headers.get('x-request-id')!;
		const page = (await response.json()) as LogsPage;
		const line = page.lines.find((l) => l.cid === requestId);
		expect(line, JSON.stringify(page.lines.slice(0, 3))).toMatchObject({
			module: 'settings',
			level: 'warn',
			msg: 'stored settings section is invalid; using its defaults'
		});
		// Outside the request the next line has no cid.
		moduleLogger('settings').warn('after the request');
		expect(logRing.get(logRing.lastSeq)?.cid).toBeNull();
	});
});

describe('the log level of every process', () => {
	let db: Database;
	let otherReplica: Database;
	let otherClient: SQL;

	beforeAll(async () => {
		db = await testDb();
		// Another process's connection pool on the same database.
		otherReplica = await openDatabase(inject('databaseUrl'), { max: 2 });
		otherClient = otherReplica.$client;
	});
	afterAll(async () => {
		await otherClient.close();
	});
	beforeEach(async () => {
		await resetDb(db);
	});

	async function levelBecomes(level: string, withinMs: number): Promise<number> {
		const started = Date.now();
		while (Date.now() - started < withinMs) {
			if (currentLogLevel() === level) return Date.now() - started;
			await new Promise((r) => setTimeout(r, 20));
		}
		throw new Error(`log level still ${currentLogLevel()} after ${withinMs} ms, not ${level}`);
	}

	it("follows a level saved by another process within a second, through the database's NOTIFY", async () => {
		setLogLevel('error');
		const follower = await followLogLevel(db);
		try {
			// The other replica saves Settings → General; this process's level follows.
			await updateSettings(otherReplica, 'general', {
				displayName: 'Comradarr',
				timeZone: 'UTC',
				logLevel: 'debug'
			});
			expect(await levelBecomes('debug', 1500)).toBeLessThan(1500);
			// What another process's save sends over the wire, while this process holds the
			// settings in its cache: the notification must make it read them again.
			expect((await getSettings(db)).general.logLevel).toBe('debug');
			const general = JSON.stringify({
				displayName: 'Comradarr',
				timeZone: 'UTC',
				logLevel: 'warn'
			});
			await otherClient`update app_settings set value = ${general}::text::jsonb where key = 'general'`;
			await otherClient`select pg_notify(${SCHEDULES_CHANNEL}, 'settings:general')`;
			await levelBecomes('warn', 1500);
		} finally {
			await follower.stop();
		}
		// Stopped: a later save no longer reaches this process.
		await updateSettings(otherReplica, 'general', {
			displayName: 'Comradarr',
			timeZone: 'UTC',
			logLevel: 'trace'
		});
		await new Promise((r) => setTimeout(r, 300));
		expect(currentLogLevel()).toBe('warn');
		const [row] = await db.select().from(appSettings).where(eq(appSettings.key, 'general'));
		expect(row?.value).toMatchObject({ logLevel: 'trace' });
	});

	it('applies a changed LOG_LEVEL on SIGHUP, says what changed, and leaves an unchanged one alone', async () => {
		registerLogLevelReloader({ LOG_LEVEL: 'info' });
		setLogLevel('info');
		// Started with info: a SIGHUP for another setting must not undo a level saved in Settings.
		setLogLevel('warn');
		expect((await runReloaders({ LOG_LEVEL: 'info' })).find((r) => r.name === 'log-level')).toEqual(
			{ name: 'log-level', changed: [] }
		);
		expect(currentLogLevel()).toBe('warn');
		setLogLevel('info');
		const logLevel = async (env: Record<string, string | undefined>) =>
			(await runReloaders(env)).find((r) => r.name === 'log-level');
		expect(await logLevel({ LOG_LEVEL: 'debug' })).toEqual({
			name: 'log-level',
			changed: ['log level info → debug']
		});
		expect(currentLogLevel()).toBe('debug');
		setLogLevel('error');
		expect((await logLevel({ LOG_LEVEL: 'debug' }))?.changed).toEqual([]);
		expect(currentLogLevel()).toBe('error');
		expect(await logLevel({ LOG_LEVEL: ' TRACE ' })).toEqual({
			name: 'log-level',
			changed: ['log level error → trace']
		});
		expect((await logLevel({}))?.changed).toEqual([]);
		const refused = await logLevel({ LOG_LEVEL: 'loud' });
		expect(refused?.error).toMatch(/LOG_LEVEL "loud" is not a level/);
		expect(currentLogLevel()).toBe('trace');
	});
});

describe('/health', () => {
	const registry = () =>
		((globalThis as { __comradarr?: { runtime?: Promise<Runtime> | undefined } }).__comradarr ??=
			{});
	let saved: Promise<Runtime> | undefined;

	beforeAll(() => {
		saved = registry().runtime;
	});
	afterAll(() => {
		registry().runtime = saved;
	});

	function runtimeOn(db: Database): Promise<Runtime> {
		return Promise.resolve({
			db,
			secrets: {} as Runtime['secrets'],
			config: {} as Runtime['config'],
			stop: async () => {}
		});
	}

	it('adds the uptime and the memory of the process, in seconds and bytes', async () => {
		registry().runtime = runtimeOn(await testDb());
		const response = await get(healthRoute.GET, '/health');
		expect(response.status).toBe(200);
		const body = (await response.json()) as {
			status: string;
			database: string;
			connectors: unknown[];
			queue: { pending: number };
			process: {
				uptimeSeconds: number;
				memory: { rssBytes: number; heapUsedBytes: number; heapTotalBytes: number };
			};
		};
		expect(Object.keys(body).sort()).toEqual([
			'connectors',
			'database',
			'process',
			'queue',
			'status'
		]);
		expect(body).toMatchObject({ status: 'ok', database: 'ok' });
		expect(Number.isInteger(body.process.uptimeSeconds)).toBe(true);
		expect(body.process.uptimeSeconds).toBeGreaterThanOrEqual(0);
		expect(body.process.uptimeSeconds).toBeLessThan(Math.ceil(process.uptime()) + 1);
		const { rssBytes, heapUsedBytes, heapTotalBytes } = body.process.memory;
		expect(rssBytes).toBeGreaterThan(10 * 1024 * 1024);
		expect(heapUsedBytes).toBeGreaterThan(0);
		// Bun's heap figures come from JavaScriptCore: heapUsed may exceed heapTotal and even rss.
		expect(heapTotalBytes).toBeGreaterThan(0);
	});

	it('still answers 503 with the process figures when the database is down', async () => {
		// Nothing listens on port 1: every query fails to connect.
		const down = new SQL('postgres://root@127.0.0.1:1/postgres', { connectionTimeout: 2 });
		registry().runtime = runtimeOn(drizzle({ client: down }) as unknown as Database);
		try {
			const response = await get(healthRoute.GET, '/health');
			expect(response.status).toBe(503);
			const body = (await response.json()) as {
				database: string;
				process: { memory: { rssBytes: number } };
			};
			expect(body.database).toBe('unreachable');
			expect(body.process.memory.rssBytes).toBeGreaterThan(0);
		} finally {
			await down.close();
		}
	});
});
