/**
 * Sweep schedules and the built-in jobs' schedules through the route handlers of
 * `/api/v1/schedules` (issue 10, Schedules §1, §4 and API v1) against a real PostgreSQL and the
 * *arr simulator: create / read / update / delete, every validation rule with the field named and
 * nothing saved, next runs across the DST changes of Europe/Berlin, the editor's preview, "run
 * now" as a job under the connector's sweep lock, a new connector's default schedules, a throttle
 * profile in use by a schedule not deletable, and the built-ins (editable, not deletable).
 */
import { describe, expect, it } from 'vitest';
import type { RequestEvent } from '@sveltejs/kit';
import { eq, sql } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import { useTestRuntime } from '../helpers/runtime';
import {
	appSettings,
	connectors,
	jobRuns,
	jobSchedules,
	sweepSchedules,
	throttleProfiles
} from '../../src/lib/server/db/schema';
import { JOB_RUN_LOCK_NS, getJobRun } from '../../src/lib/server/services/jobs';
import { invalidateSettingsCache } from '../../src/lib/server/services/settings/settings-service';
import {
	createConnector,
	deleteConnector
} from '../../src/lib/server/services/connectors/connector-service';
import { syncOne } from '../../src/lib/server/services/operations';
import { startSweep } from '../../src/lib/server/services/connector-jobs';
import { SONARR_KEY } from '../helpers/world';
import type { JobRunView } from '../../src/lib/types/jobs';
import type { BuiltInScheduleView, SweepScheduleView } from '../../src/lib/types/schedules';
import * as listRoute from '../../src/routes/api/v1/schedules/+server';
import * as itemRoute from '../../src/routes/api/v1/schedules/[id]/+server';
import * as runRoute from '../../src/routes/api/v1/schedules/[id]/run/+server';
import * as nextRunsRoute from '../../src/routes/api/v1/schedules/[id]/next-runs/+server';
import * as previewRoute from '../../src/routes/api/v1/schedules/preview/+server';
import * as timelineRoute from '../../src/routes/api/v1/schedules/timeline/+server';
import * as builtInListRoute from '../../src/routes/api/v1/schedules/built-in/+server';
import * as builtInItemRoute from '../../src/routes/api/v1/schedules/built-in/[job]/+server';
import * as builtInRunRoute from '../../src/routes/api/v1/schedules/built-in/[job]/run/+server';
import * as profileRoute from '../../src/routes/api/v1/throttle-profiles/[id]/+server';

const world = useWorld();
useTestRuntime(world, { dataDir: '/nonexistent' });

type Handler = (event: RequestEvent) => Promise<Response> | Response;

interface ErrorBody {
	code: string;
	message: string;
	fields?: Record<string, string>;
}

interface Answer<T> {
	status: number;
	body: T & { error?: ErrorBody };
	headers: Headers;
}

async function call<T = Record<string, unknown>>(
	handler: unknown,
	init: {
		method?: string;
		body?: unknown;
		params?: Record<string, string>;
		query?: Record<string, string>;
	} = {}
): Promise<Answer<T>> {
	const url = new URL('http://comradarr.lan/api/v1/schedules');
	for (const [k, val] of Object.entries(init.query ?? {})) url.searchParams.set(k, val);
	const request = new Request(url, {
		method: init.method ?? 'GET',
		...(init.body !== undefined
			? { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } }
			: {})
	});
	const event = {
		url,
		request,
		params: init.params ?? {},
		locals: {}
	} as unknown as RequestEvent;
	const response = await (handler as Handler)(event);
	const text = await response.text();
	return {
		status: response.status,
		body: (text ? JSON.parse(text) : {}) as Answer<T>['body'],
		headers: response.headers
	};
}

const post = (body: unknown) => call<SweepScheduleView>(listRoute.POST, { method: 'POST', body });
const patch = (id: number, body: unknown) =>
	call<SweepScheduleView>(itemRoute.PATCH, {
		method: 'PATCH',
		body,
		params: { id: String(id) }
	});

async function scheduleCount(): Promise<number> {
	const [row] = await world.db.select({ n: sql<number>`count(*)::int` }).from(sweepSchedules);
	return row?.n ?? 0;
}

async function setTimeZone(zone: string): Promise<void> {
	await world.db
		.insert(appSettings)
		.values({
			key: 'general',
			value: { displayName: 'Comradarr', timeZone: zone, logLevel: 'info' }
		})
		.onConflictDoUpdate({
			target: appSettings.key,
			set: { value: { displayName: 'Comradarr', timeZone: zone, logLevel: 'info' } }
		});
	invalidateSettingsCache();
}

async function waitForRun(id: number): Promise<JobRunView> {
	for (let i = 0; i < 200; i++) {
		const run = await getJobRun(world.db, id);
		if (run && run.status !== 'running' && run.status !== 'queued') return run;
		await Bun.sleep(25);
	}
	throw new Error(`run ${id} did not finish`);
}

/** A user profile copied from the default, named `name`. */
async function addProfile(name: string): Promise<number> {
	const [base] = await world.db
		.select()
		.from(throttleProfiles)
		.where(eq(throttleProfiles.isDefault, true));
	const { id: _id, ...rest } = base!;
	void _id;
	const [row] = await world.db
		.insert(throttleProfiles)
		.values({ ...rest, name, isPreset: false, isDefault: false })
		.returning({ id: throttleProfiles.id });
	return row!.id;
}

describe('a new connector', () => {
	it('gets gaps hourly and upgrades nightly, in the app’s time zone, with the connector', async () => {
		await setTimeZone('Europe/Berlin');
		const sonarr = await world.addConnector('/sonarr');
		const rows = await world.db
			.select()
			.from(sweepSchedules)
			.where(eq(sweepSchedules.connectorId, sonarr.id))
			.orderBy(sweepSchedules.id);
		expect(rows.map((r) => [r.sweepType, r.cron, r.timezone, r.enabled])).toEqual([
			['gaps', '5 * * * *', 'Europe/Berlin', true],
			['upgrades', '30 2 * * *', 'Europe/Berlin', true]
		]);
		const list = await call<SweepScheduleView[]>(listRoute.GET);
		expect(list.body.map((s) => s.description)).toEqual(['At 5 minutes past the hour', 'At 02:30']);
	});

	it('imported from a configuration file gets them too (a dry run writes none)', async () => {
		const { importConfig } = await import('../../src/lib/server/services/config-transfer');
		const file = {
			format: 'comradarr-config',
			version: 1,
			connectors: [{ name: 'Imported Sonarr', type: 'sonarr', url: 'http://nas:8989' }]
		};
		await importConfig({ db: world.db, secrets: world.secrets, input: file, dryRun: true });
		expect(await scheduleCount()).toBe(0);
		await importConfig({ db: world.db, secrets: world.secrets, input: file });
		const rows = await world.db.select().from(sweepSchedules).orderBy(sweepSchedules.id);
		expect(rows.map((r) => [r.sweepType, r.cron, r.timezone])).toEqual([
			['gaps', '5 * * * *', 'UTC'],
			['upgrades', '30 2 * * *', 'UTC']
		]);
		// Importing the same file again creates nothing new.
		await importConfig({ db: world.db, secrets: world.secrets, input: file });
		expect(await scheduleCount()).toBe(2);
	});

	it('that is refused (wrong key) leaves no schedule behind', async () => {
		const sim = world.sim.instance('/sonarr');
		await expect(
			createConnector(world.db, world.secrets, {
				type: 'sonarr',
				name: 'wrong key',
				url: sim.baseUrl,
				apiKey: SONARR_KEY.replace(/^0/, '9')
			})
		).rejects.toThrow();
		expect(await scheduleCount()).toBe(0);
		expect(await world.db.select().from(connectors)).toEqual([]);
	});
});

describe('sweep schedules through the API', () => {
	it('are created, read, changed and deleted, with connector, profile, words and next run', async () => {
		const sonarr = await world.addConnector('/sonarr', 'Sonarr');
		const profileId = await addProfile('Night owl');
		const created = await post({
			connectorId: sonarr.id,
			sweepType: 'both',
			cron: '0 */6 * * *',
			timezone: 'America/New_York',
			throttleProfileId: profileId,
			batchLimit: 25
		});
		expect(created.status).toBe(201);
		expect(created.body).toMatchObject({
			connectorId: sonarr.id,
			connectorName: 'Sonarr',
			connectorType: 'sonarr',
			sweepType: 'both',
			cron: '0 */6 * * *',
			timezone: 'America/New_York',
			description: 'On the hour, every 6 hours',
			enabled: true,
			throttleProfileId: profileId,
			throttleProfileName: 'Night owl',
			batchLimit: 25,
			lastRun: null
		});
		const next = new Date(created.body.nextRunAt!);
		expect(next.getTime()).toBeGreaterThan(Date.now());
		expect(next.getTime()).toBeLessThanOrEqual(Date.now() + 6 * 3_600_000);
		const id = created.body.id;

		const one = await call<SweepScheduleView>(itemRoute.GET, { params: { id: String(id) } });
		expect(one.body).toEqual(created.body);
		const list = await call<SweepScheduleView[]>(listRoute.GET, {
			query: { connectorId: String(sonarr.id) }
		});
		expect(list.body.map((s) => s.id)).toContain(id);
		expect(list.body).toHaveLength(3); // the two defaults and this one

		const changed = await patch(id, { enabled: false, throttleProfileId: null, batchLimit: null });
		expect(changed.status).toBe(200);
		expect(changed.body).toMatchObject({
			enabled: false,
			nextRunAt: null,
			throttleProfileId: null,
			throttleProfileName: null,
			batchLimit: null,
			cron: '0 */6 * * *'
		});
		expect(new Date(changed.body.updatedAt).getTime()).toBeGreaterThan(
			new Date(created.body.updatedAt).getTime()
		);

		const gone = await call(itemRoute.DELETE, { method: 'DELETE', params: { id: String(id) } });
		expect(gone.status).toBe(204);
		const missing = await call(itemRoute.GET, { params: { id: String(id) } });
		expect(missing.status).toBe(404);
		expect(missing.body.error?.code).toBe('schedules.not_found');
		const again = await call(itemRoute.DELETE, { method: 'DELETE', params: { id: String(id) } });
		expect(again.status).toBe(404);
		expect((await call(itemRoute.GET, { params: { id: 'abc' } })).status).toBe(404);
	});

	it('take the app’s time zone and enabled when left out', async () => {
		await setTimeZone('Asia/Tokyo');
		const sonarr = await world.addConnector('/sonarr');
		const created = await post({ connectorId: sonarr.id, sweepType: 'gaps', cron: '15 4 * * *' });
		expect(created.status).toBe(201);
		expect(created.body).toMatchObject({ timezone: 'Asia/Tokyo', enabled: true });
	});

	it.each([
		[{ cron: 'every hour' }, 'cron', /Not a valid cron expression/],
		[{ cron: '61 * * * *' }, 'cron', /minute: 61/],
		[{ cron: '* * * * * * *' }, 'cron', /5 fields/],
		[{ cron: '0 0 30 2 *' }, 'cron', /never runs/],
		[{ cron: '*/30 * * * * *' }, 'cron', /more often than once a minute/],
		[{ cron: '' }, 'cron', /Enter a cron expression/],
		[{ timezone: 'Mars/Olympus_Mons' }, 'timezone', /Not a known time zone/],
		[{ connectorId: 999 }, 'connectorId', /Connector 999 does not exist/],
		[{ throttleProfileId: 999 }, 'throttleProfileId', /Throttle profile 999 does not exist/],
		[{ sweepType: 'everything' }, 'sweepType', /gaps, upgrades or both/],
		[{ batchLimit: 0 }, 'batchLimit', /at least 1/],
		[{ enabled: 'yes' }, 'enabled', /true or false/]
	])('refuse %j with 400 naming %s, and save nothing', async (change, field, message) => {
		const sonarr = await world.addConnector('/sonarr');
		const before = await scheduleCount();
		const body = {
			connectorId: sonarr.id,
			sweepType: 'gaps',
			cron: '5 * * * *',
			timezone: 'UTC',
			...change
		};
		const created = await post(body);
		expect(created.status).toBe(400);
		expect(created.body.error?.code).toBe('validation.failed');
		expect(created.body.error?.fields?.[field]).toMatch(message);
		expect(await scheduleCount()).toBe(before);

		// The same change to an existing schedule is refused and changes nothing.
		const [existing] = await world.db
			.select()
			.from(sweepSchedules)
			.where(eq(sweepSchedules.connectorId, sonarr.id))
			.limit(1);
		const edited = await patch(existing!.id, change);
		expect(edited.status).toBe(400);
		expect(edited.body.error?.fields?.[field]).toMatch(message);
		const [after] = await world.db
			.select()
			.from(sweepSchedules)
			.where(eq(sweepSchedules.id, existing!.id));
		expect(after).toEqual(existing);
	});

	it('name every bad field at once', async () => {
		const created = await post({
			connectorId: 4242,
			sweepType: 'gaps',
			cron: 'nope',
			timezone: 'Nowhere/City',
			throttleProfileId: 4242
		});
		expect(created.status).toBe(400);
		expect(Object.keys(created.body.error?.fields ?? {}).sort()).toEqual([
			'connectorId',
			'cron',
			'throttleProfileId',
			'timezone'
		]);
	});

	it('go with their connector, and a deleted connector is refused like an unknown one', async () => {
		const sonarr = await world.addConnector('/sonarr');
		expect(await scheduleCount()).toBe(2);
		await deleteConnector(world.db, sonarr.id);
		expect(await scheduleCount()).toBe(0);
		const created = await post({ connectorId: sonarr.id, sweepType: 'gaps', cron: '5 * * * *' });
		expect(created.status).toBe(400);
		expect(created.body.error?.fields?.connectorId).toMatch(/does not exist/);
	});
});

describe('next runs', () => {
	async function nextRuns(id: number, query: Record<string, string>) {
		return call<{ runs: string[] }>(nextRunsRoute.GET, { params: { id: String(id) }, query });
	}

	it('of 02:30 Europe/Berlin are the right UTC instants on both sides of both DST changes', async () => {
		const sonarr = await world.addConnector('/sonarr');
		const { body } = await post({
			connectorId: sonarr.id,
			sweepType: 'upgrades',
			cron: '30 2 * * *',
			timezone: 'Europe/Berlin'
		});
		// Spring forward, 2026-03-29 02:00 CET → 03:00 CEST: 02:30 does not exist that night.
		// croner runs a fixed-time pattern at the first valid time after the gap: 03:00 CEST.
		const spring = await nextRuns(body.id, { count: '4', from: '2026-03-27T12:00:00Z' });
		expect(spring.body.runs).toEqual([
			'2026-03-28T01:30:00.000Z', // 02:30 CET (UTC+1)
			'2026-03-29T01:00:00.000Z', // the skipped 02:30: run at 03:00 CEST
			'2026-03-30T00:30:00.000Z', // 02:30 CEST (UTC+2)
			'2026-03-31T00:30:00.000Z'
		]);
		// Fall back, 2026-10-25 03:00 CEST → 02:00 CET: 02:30 happens twice; it runs once, the
		// first time (CEST).
		const autumn = await nextRuns(body.id, { count: '4', from: '2026-10-23T12:00:00Z' });
		expect(autumn.body.runs).toEqual([
			'2026-10-24T00:30:00.000Z', // 02:30 CEST
			'2026-10-25T00:30:00.000Z', // the first 02:30 (CEST) only
			'2026-10-26T01:30:00.000Z', // 02:30 CET
			'2026-10-27T01:30:00.000Z'
		]);
	});

	it('of an hourly pattern skip the missing hour and keep both repeated ones', async () => {
		const sonarr = await world.addConnector('/sonarr');
		const { body } = await post({
			connectorId: sonarr.id,
			sweepType: 'gaps',
			cron: '30 * * * *',
			timezone: 'Europe/Berlin'
		});
		const spring = await nextRuns(body.id, { count: '3', from: '2026-03-29T00:00:00Z' });
		// 01:30 CET, then 03:30 CEST: there is no 02:30.
		expect(spring.body.runs).toEqual([
			'2026-03-29T00:30:00.000Z',
			'2026-03-29T01:30:00.000Z',
			'2026-03-29T02:30:00.000Z'
		]);
		const autumn = await nextRuns(body.id, { count: '3', from: '2026-10-24T23:45:00Z' });
		// 02:30 CEST and 02:30 CET are both runs, an hour apart.
		expect(autumn.body.runs).toEqual([
			'2026-10-25T00:30:00.000Z',
			'2026-10-25T01:30:00.000Z',
			'2026-10-25T02:30:00.000Z'
		]);
	});

	it('default to five, refuse more than twenty, and are empty for a disabled schedule', async () => {
		const sonarr = await world.addConnector('/sonarr');
		const { body } = await post({ connectorId: sonarr.id, sweepType: 'gaps', cron: '5 * * * *' });
		expect((await nextRuns(body.id, {})).body.runs).toHaveLength(5);
		const tooMany = await nextRuns(body.id, { count: '21' });
		expect(tooMany.status).toBe(400);
		expect(tooMany.body.error?.fields?.count).toMatch(/at most 20/);
		await patch(body.id, { enabled: false });
		expect((await nextRuns(body.id, {})).body.runs).toEqual([]);
		expect((await nextRuns(9999, {})).status).toBe(404);
	});
});

describe('the timeline', () => {
	it('lists every run of every enabled schedule in the window, in each schedule’s zone', async () => {
		const sonarr = await world.addConnector('/sonarr', 'Sonarr');
		await world.db.delete(sweepSchedules);
		const hourly = await post({
			connectorId: sonarr.id,
			sweepType: 'gaps',
			cron: '5 * * * *',
			timezone: 'UTC'
		});
		const nightly = await post({
			connectorId: sonarr.id,
			sweepType: 'upgrades',
			cron: '30 2 * * *',
			timezone: 'Europe/Berlin'
		});
		await post({
			connectorId: sonarr.id,
			sweepType: 'both',
			cron: '0 12 * * *',
			enabled: false
		});
		const { status, body } = await call<{
			from: string;
			to: string;
			schedules: { scheduleId: number; runs: string[]; truncated: boolean }[];
		}>(timelineRoute.GET, { query: { from: '2026-03-27T00:00:00Z', days: '3' } });
		expect(status).toBe(200);
		expect(body.to).toBe('2026-03-30T00:00:00.000Z');
		expect(body.schedules.map((s) => s.scheduleId)).toEqual([hourly.body.id, nightly.body.id]);
		expect(body.schedules[0]!.runs).toHaveLength(72);
		expect(body.schedules[0]!.truncated).toBe(false);
		expect(body.schedules[1]!.runs).toEqual([
			'2026-03-27T01:30:00.000Z',
			'2026-03-28T01:30:00.000Z',
			'2026-03-29T01:00:00.000Z'
		]);
		const tooLong = await call(timelineRoute.GET, { query: { days: '32' } });
		expect(tooLong.status).toBe(400);
		expect(tooLong.body.error?.fields?.days).toMatch(/at most 31/);
	});
});

describe('the editor’s preview', () => {
	it('describes a pattern and lists its next runs in the zone', async () => {
		const ok = await call<{ valid: boolean; description: string; runs: string[] }>(
			previewRoute.GET,
			{
				query: {
					cron: '0 9 * * 1-5',
					timezone: 'Europe/Berlin',
					count: '2',
					from: '2026-12-04T12:00:00Z'
				}
			}
		);
		expect(ok.status).toBe(200);
		expect(ok.body).toEqual({
			valid: true,
			description: 'At 09:00, Monday through Friday',
			runs: ['2026-12-07T08:00:00.000Z', '2026-12-08T08:00:00.000Z']
		});
	});

	it('answers 400 naming the field for a bad pattern or zone', async () => {
		const bad = await call(previewRoute.GET, { query: { cron: '5 * *', timezone: 'UTC' } });
		expect(bad.status).toBe(400);
		expect(bad.body.error?.code).toBe('validation.failed');
		expect(bad.body.error?.fields?.cron).toMatch(/Not a valid cron expression/);
		const zone = await call(previewRoute.GET, {
			query: { cron: '5 * * * *', timezone: 'Europe/Atlantis' }
		});
		expect(zone.body.error?.fields).toEqual({ timezone: expect.stringMatching(/time zone/) });
		const missing = await call(previewRoute.GET, { query: { timezone: 'UTC' } });
		expect(missing.status).toBe(400);
		expect(missing.body.error?.fields?.cron).toBeDefined();
	});

	it('allows seconds for built-in jobs, not for sweeps', async () => {
		const sweep = await call(previewRoute.GET, {
			query: { cron: '*/15 * * * * *', timezone: 'UTC' }
		});
		expect(sweep.body.error?.fields?.cron).toMatch(/at most once a minute/);
		const builtIn = await call<{ description: string }>(previewRoute.GET, {
			query: { cron: '*/15 * * * * *', timezone: 'UTC', kind: 'built-in' }
		});
		expect(builtIn.status).toBe(200);
		expect(builtIn.body.description).toBe('Every 15 seconds');
	});
});

describe('run now', () => {
	it('starts the sweep as a job of the schedule and answers 202 with the run', async () => {
		const sonarr = await world.addConnector('/sonarr');
		await syncOne(world, sonarr);
		const { body } = await post({
			connectorId: sonarr.id,
			sweepType: 'gaps',
			cron: '0 3 * * *',
			batchLimit: 3
		});
		const started = await call<{ run: JobRunView }>(runRoute.POST, {
			method: 'POST',
			params: { id: String(body.id) }
		});
		expect(started.status).toBe(202);
		expect(started.headers.get('location')).toBe(`/api/v1/jobs/${started.body.run.id}`);
		expect(started.body.run).toMatchObject({
			job: `sweep.schedule.${body.id}`,
			status: 'running',
			trigger: 'manual',
			connectorId: sonarr.id
		});
		const done = await waitForRun(started.body.run.id);
		expect(done.status).toBe('success');
		expect(done.result).toMatchObject({ scheduleId: body.id, kind: 'gaps', queuedBatches: 3 });
		expect(done.message).toMatch(/^Queued 3 commands/);
		const view = await call<SweepScheduleView>(itemRoute.GET, { params: { id: String(body.id) } });
		expect(view.body.lastRun).toMatchObject({ id: done.id, status: 'success' });
	});

	it('is refused with 409 while a sweep of the connector runs, here or in another process', async () => {
		const sonarr = await world.addConnector('/sonarr');
		const [schedule] = await world.db
			.select()
			.from(sweepSchedules)
			.where(eq(sweepSchedules.connectorId, sonarr.id))
			.limit(1);
		const key = `sweep.connector.${sonarr.id}`;
		const other = await world.db.$client.reserve();
		try {
			await other`select pg_advisory_lock(${JOB_RUN_LOCK_NS}, hashtext(${key}))`;
			const refused = await call(runRoute.POST, {
				method: 'POST',
				params: { id: String(schedule!.id) }
			});
			expect(refused.status).toBe(409);
			expect(refused.body.error?.code).toBe('schedules.already_running');
			expect(refused.body.error?.message).toMatch(/A sweep of sonarr \/sonarr is already running/);
		} finally {
			await other`select pg_advisory_unlock(${JOB_RUN_LOCK_NS}, hashtext(${key}))`;
			await other.release();
		}
		// The connector page's "Sweep now" (job `sweep`) holds the same lock.
		world.sim.instance('/sonarr').setFault('/api/v3/series', { delayMs: 10, times: 1 });
		const manual = await startSweep(world, sonarr, 'both');
		const during = await call(runRoute.POST, {
			method: 'POST',
			params: { id: String(schedule!.id) }
		});
		expect(during.status).toBe(409);
		await manual.result;
		expect((await call(runRoute.POST, { method: 'POST', params: { id: '999' } })).status).toBe(404);
	});
});

describe('a throttle profile a schedule uses', () => {
	it('cannot be deleted; the refusal names the schedule', async () => {
		const sonarr = await world.addConnector('/sonarr', 'Sonarr');
		const profileId = await addProfile('Overnight');
		const { body } = await post({
			connectorId: sonarr.id,
			sweepType: 'upgrades',
			cron: '0 1 * * *',
			throttleProfileId: profileId
		});
		const refused = await call(profileRoute.DELETE, {
			method: 'DELETE',
			params: { id: String(profileId) }
		});
		expect(refused.status).toBe(409);
		expect(refused.body.error?.code).toBe('throttle_profiles.in_use');
		expect(refused.body.error?.message).toBe(
			'"Overnight" is used by the sweep schedule "Sonarr — upgrades (0 1 * * *)": give it another profile (or the connector\'s) first.'
		);
		await patch(body.id, { throttleProfileId: null });
		const deleted = await call(profileRoute.DELETE, {
			method: 'DELETE',
			params: { id: String(profileId) }
		});
		expect(deleted.status).toBe(204);
	});
});

describe('built-in jobs', () => {
	it('are listed with their schedule in words, without the old hourly sweep', async () => {
		await setTimeZone('Europe/Berlin');
		const list = await call<BuiltInScheduleView[]>(builtInListRoute.GET);
		expect(list.body.map((j) => j.job)).not.toContain('sweep');
		expect(list.body.find((j) => j.job === 'sync-full')).toMatchObject({
			cron: '30 3 * * *',
			timezone: 'Europe/Berlin',
			humanDescription: 'At 03:30',
			enabled: true,
			lastRun: null
		});
		expect(list.body.find((j) => j.job === 'track-commands')?.humanDescription).toBe(
			'Every 15 seconds'
		);
	});

	it('take a new pattern or are turned off, but a bad pattern is refused and nothing saved', async () => {
		const changed = await call<BuiltInScheduleView>(builtInItemRoute.PATCH, {
			method: 'PATCH',
			params: { job: 'db.vacuum' },
			body: { cron: '0 5 * * 6' }
		});
		expect(changed.status).toBe(200);
		expect(changed.body).toMatchObject({
			cron: '0 5 * * 6',
			humanDescription: 'At 05:00, only on Saturday'
		});
		const off = await call<BuiltInScheduleView>(builtInItemRoute.PATCH, {
			method: 'PATCH',
			params: { job: 'db.vacuum' },
			body: { enabled: false }
		});
		expect(off.body).toMatchObject({ cron: '0 5 * * 6', enabled: false, nextRunAt: null });
		const bad = await call(builtInItemRoute.PATCH, {
			method: 'PATCH',
			params: { job: 'db.vacuum' },
			body: { cron: '99 * * * *' }
		});
		expect(bad.status).toBe(400);
		expect(bad.body.error?.fields?.cron).toMatch(/Invalid value for minute/);
		const [row] = await world.db
			.select()
			.from(jobSchedules)
			.where(eq(jobSchedules.job, 'db.vacuum'));
		expect(row).toMatchObject({ pattern: '0 5 * * 6', enabled: false });
		const unknown = await call(builtInItemRoute.PATCH, {
			method: 'PATCH',
			params: { job: 'sweep' },
			body: { enabled: false }
		});
		expect(unknown.status).toBe(404);
	});

	it('cannot be deleted', async () => {
		const refused = await call(builtInItemRoute.DELETE, {
			method: 'DELETE',
			params: { job: 'sync' }
		});
		expect(refused.status).toBe(405);
		expect(refused.body.error?.code).toBe('schedules.built_in_not_deletable');
		expect(refused.body.error?.message).toMatch(/cannot be deleted, only turned off/);
	});

	it('run now as a manual run, once at a time', async () => {
		const started = await call<{ run: JobRunView }>(builtInRunRoute.POST, {
			method: 'POST',
			params: { job: 'health' }
		});
		expect(started.status).toBe(202);
		expect(started.body.run).toMatchObject({ job: 'health', trigger: 'manual' });
		await waitForRun(started.body.run.id);
		const runs = await world.db.select().from(jobRuns).where(eq(jobRuns.job, 'health'));
		expect(runs).toHaveLength(1);
		const other = await world.db.$client.reserve();
		try {
			await other`select pg_advisory_lock(${JOB_RUN_LOCK_NS}, hashtext('health'))`;
			const refused = await call(builtInRunRoute.POST, {
				method: 'POST',
				params: { job: 'health' }
			});
			expect(refused.status).toBe(409);
			expect(refused.body.error?.code).toBe('schedules.already_running');
		} finally {
			await other`select pg_advisory_unlock(${JOB_RUN_LOCK_NS}, hashtext('health'))`;
			await other.release();
		}
	});
});
