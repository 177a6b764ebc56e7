/**
 * The content browser (issue 11 §1–2) against a real PostgreSQL and the *arr simulator: a synced
 * and swept Sonarr and Radarr, listed through the service and `GET /api/v1/content` — status
 * filters and their counts (checked against the mirror joined the long way, episode by episode),
 * typo- and accent-tolerant title search, sorting, pagination, profile and tag filters — and the
 * bulk actions over a selection and over a filter (`POST /api/v1/content/bulk`, a job).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { RequestEvent } from '@sveltejs/kit';
import { and, eq, inArray, sql } from 'drizzle-orm';
import * as v from 'valibot';
import { useWorld } from '../helpers/world';
import { useTestRuntime } from '../helpers/runtime';
import {
	connectors,
	movies,
	priorityOverrides,
	qualityProfiles,
	requestQueue,
	searchRegistry,
	series,
	tags,
	type Connector
} from '../../src/lib/server/db/schema';
import { clientFor } from '../../src/lib/server/connectors';
import { syncConnector } from '../../src/lib/server/services/sync/sync-service';
import { runSweep } from '../../src/lib/server/services/queue/sweep';
import {
	listContent,
	matchingRefs,
	type ContentPage
} from '../../src/lib/server/services/content/content-browser';
import { startBulkAction } from '../../src/lib/server/services/content/bulk-actions';
import {
	CONTENT_STATUSES,
	ContentQuerySchema,
	type ContentQuery,
	type ContentStatus
} from '../../src/lib/schemas/content';
import { getJobRun } from '../../src/lib/server/services/jobs';
import { isLive } from '../../src/lib/types/jobs';
import * as contentRoute from '../../src/routes/api/v1/content/+server';
import * as bulkRoute from '../../src/routes/api/v1/content/bulk/+server';

const world = useWorld();
useTestRuntime(world);

type Handler = (event: RequestEvent) => Promise<Response> | Response;

async function call(
	handler: unknown,
	path: string,
	init: { method?: string; body?: unknown } = {}
): Promise<Response> {
	const url = new URL(`http://comradarr.lan${path}`);
	const request = new Request(url, {
		method: init.method ?? 'GET',
		...(init.body !== undefined
			? { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } }
			: {})
	});
	const event = { url, request, params: {}, locals: {} } as unknown as RequestEvent;
	return (handler as Handler)(event);
}

async function synced(urlBase: '/sonarr' | '/radarr'): Promise<Connector> {
	const connector = await world.addConnector(urlBase);
	await syncConnector({ db: world.db, connector, client: clientFor(connector, world.secrets) });
	await runSweep({ db: world.db, connector, kind: 'both' });
	return world.connector(connector.id);
}

/** A query as the page builds it from its URL. */
const query = (params: Record<string, string> = {}): ContentQuery =>
	v.parse(ContentQuerySchema, params);

const list = (params: Record<string, string> = {}): Promise<ContentPage> =>
	listContent(world.db, query(params));

/** Series and movies with a registry row matching `where`, found the long way (through episodes). */
async function expectedRows(where: ReturnType<typeof sql>): Promise<string[]> {
	const rows = await world.db.execute<{ key: string }>(sql`
		select distinct 'series:' || e.series_id as key from search_registry r
		join episodes e on e.id = r.episode_id where ${where}
		union
		select distinct 'movie:' || r.movie_id from search_registry r
		where r.movie_id is not null and ${where}`);
	return rows.map((r) => r.key).sort();
}

async function allKeys(params: Record<string, string>): Promise<string[]> {
	const refs = await matchingRefs(world.db, query(params));
	return refs.map((r) => `${r.kind}:${r.id}`).sort();
}

describe('content listing', () => {
	let sonarr: Connector;
	let radarr: Connector;
	beforeEach(async () => {
		sonarr = await synced('/sonarr');
		radarr = await synced('/radarr');
	});

	it('lists every series and movie of every connector, a page at a time', async () => {
		const [{ n: seriesCount }] = (await world.db.execute<{ n: number }>(
			sql`select count(*)::int as n from series`
		)) as [{ n: number }];
		const [{ n: movieCount }] = (await world.db.execute<{ n: number }>(
			sql`select count(*)::int as n from movies`
		)) as [{ n: number }];
		const first = await list({ pageSize: '25' });
		expect(first.total).toBe(seriesCount + movieCount);
		expect(first.counts.all).toBe(first.total);
		expect(first.items).toHaveLength(25);
		const second = await list({ pageSize: '25', page: '2' });
		expect(second.total).toBe(first.total);
		const firstKeys = new Set(first.items.map((r) => `${r.kind}:${r.id}`));
		expect(second.items.some((r) => firstKeys.has(`${r.kind}:${r.id}`))).toBe(false);
		const last = await list({ pageSize: '100', page: '99' });
		expect(last.items).toEqual([]);
		expect(last.total).toBe(first.total);

		const kinds = new Set((await list({ pageSize: '100' })).items.map((r) => r.connector.id));
		expect(kinds).toEqual(new Set([sonarr.id, radarr.id]));
	});

	it('filters by status, with counts that match the mirror episode by episode', async () => {
		const conditions: Record<
			Exclude<ContentStatus, 'all' | 'custom_format'>,
			ReturnType<typeof sql>
		> = {
			missing: sql`r.search_type = 'gap'`,
			upgrade: sql`r.search_type = 'upgrade'`,
			queued: sql`r.state = 'queued'`,
			searching: sql`r.state = 'searching'`,
			cooldown: sql`r.state = 'cooldown'`,
			exhausted: sql`r.state = 'exhausted'`
		};
		// Some variety of states: a few rows exhausted, a few in cooldown.
		await world.db.execute(sql`
			update search_registry set state = 'exhausted'
			where id in (select id from search_registry where state = 'pending' order by id limit 5)`);
		await world.db.execute(sql`
			update search_registry set state = 'cooldown', next_eligible_at = now() + interval '3 hours'
			where id in (select id from search_registry where state in ('pending', 'queued') order by id desc limit 4)`);
		const counts = (await list()).counts;
		for (const [status, where] of Object.entries(conditions)) {
			const expected = await expectedRows(where);
			expect(await allKeys({ status }), status).toEqual(expected);
			expect(counts[status as ContentStatus], status).toBe(expected.length);
		}
		expect(counts.missing).toBeGreaterThan(0);
		expect(counts.upgrade).toBeGreaterThan(0);
		expect(counts.exhausted).toBeGreaterThan(0);
		expect(counts.cooldown).toBeGreaterThan(0);

		const missing = await list({ status: 'missing', pageSize: '100' });
		expect(missing.items.every((r) => r.search.gaps > 0)).toBe(true);
		const cooling = await list({ status: 'cooldown', pageSize: '100' });
		expect(cooling.items.every((r) => r.search.nextEligibleAt !== null)).toBe(true);
	});

	it('combines the status with connector, kind and monitored, and counts under those filters', async () => {
		const radarrMissing = await allKeys({ status: 'missing', connectorId: String(radarr.id) });
		expect(radarrMissing.length).toBeGreaterThan(0);
		expect(radarrMissing.every((k) => k.startsWith('movie:'))).toBe(true);
		expect(radarrMissing).toEqual(
			await expectedRows(sql`r.search_type = 'gap' and r.connector_id = ${radarr.id}`)
		);
		const seriesOnly = await list({ kind: 'series', pageSize: '100' });
		expect(seriesOnly.items.every((r) => r.kind === 'series')).toBe(true);
		expect(seriesOnly.counts.missing).toBe(
			(await expectedRows(sql`r.search_type = 'gap' and r.episode_id is not null`)).length
		);
		await world.db
			.update(movies)
			.set({ monitored: false })
			.where(eq(movies.connectorId, radarr.id));
		const unmonitored = await list({ monitored: 'false', pageSize: '100' });
		expect(unmonitored.items.length).toBeGreaterThan(0);
		expect(unmonitored.items.every((r) => !r.monitored && r.kind === 'movie')).toBe(true);
		// Counts under a filter that narrows the mirror join it (the registry still has their rows).
		const unmonitoredMissing = await allKeys({ status: 'missing', monitored: 'false' });
		expect(unmonitoredMissing.length).toBeGreaterThan(0);
		expect(unmonitored.counts.missing).toBe(unmonitoredMissing.length);
		expect(unmonitored.counts.all).toBe(unmonitored.total);
	});

	it('finds titles despite case, accents and a typo, best match first', async () => {
		const [target] = await world.db
			.select()
			.from(movies)
			.where(eq(movies.connectorId, radarr.id))
			.limit(1);
		await world.db
			.update(movies)
			.set({ title: 'The Shawshank Redemption', sortTitle: 'shawshank redemption' })
			.where(eq(movies.id, target!.id));
		const [other] = await world.db
			.select()
			.from(series)
			.where(eq(series.connectorId, sonarr.id))
			.limit(1);
		await world.db
			.update(series)
			.set({ title: 'Zoë Ørsted’s Crème Stories', sortTitle: 'zoë ørsted’s crème stories' })
			.where(eq(series.id, other!.id));

		for (const q of ['shawshank', 'SHAWSHANK', 'shawshenk', 'redemptoin']) {
			const found = await list({ q });
			expect(found.items[0], q).toMatchObject({ kind: 'movie', id: target!.id });
		}
		for (const q of ['zoe orsted', 'creme stories', 'ZOË ØRSTED', 'orstedd crem']) {
			const found = await list({ q });
			expect(found.items[0], q).toMatchObject({ kind: 'series', id: other!.id });
		}
		expect((await list({ q: 'qqqxxzz' })).total).toBe(0);
		// LIKE's wildcards are taken literally.
		expect((await list({ q: '%' })).total).toBe(0);
	});

	it('sorts by each column in both directions', async () => {
		const titles = (await list({ pageSize: '100' })).items.map((r) => r.title.toLowerCase());
		expect(titles.length).toBe(100);
		const byYear = (await list({ sort: 'year', dir: 'desc', pageSize: '100' })).items.map(
			(r) => r.year ?? -1
		);
		expect(byYear).toEqual([...byYear].sort((a, b) => b - a));
		const byYearAsc = (await list({ sort: 'year', dir: 'asc', pageSize: '100' })).items
			.map((r) => r.year)
			.filter((y): y is number => y !== null);
		expect(byYearAsc).toEqual([...byYearAsc].sort((a, b) => a - b));
		const wanted = (await list({ sort: 'wanted', pageSize: '100' })).items.map(
			(r) => r.search.gaps + r.search.upgrades
		);
		expect(wanted).toEqual([...wanted].sort((a, b) => b - a));
		expect(wanted[0]).toBeGreaterThan(0);
		const connectorsFirst = (await list({ sort: 'connector', dir: 'desc', pageSize: '25' })).items;
		const names = [sonarr, radarr].map((c) => c.name).sort();
		expect(connectorsFirst[0]?.connector.name).toBe(names[1]);

		await world.db.execute(sql`
			update search_registry set last_searched_at = now() - interval '1 hour'
			where id = (select id from search_registry where movie_id is not null order by id limit 1)`);
		const recent = await list({ sort: 'last_searched', pageSize: '25' });
		expect(recent.items[0]?.search.lastSearchedAt).not.toBeNull();
	});

	it('filters by quality profile and by tag, and refuses ones that do not exist', async () => {
		const [profile] = await world.db
			.select()
			.from(qualityProfiles)
			.where(eq(qualityProfiles.connectorId, radarr.id))
			.limit(1);
		const inProfile = await world.db
			.select({ id: movies.id })
			.from(movies)
			.where(and(eq(movies.connectorId, radarr.id), eq(movies.qualityProfileId, profile!.arrId)));
		expect(inProfile.length).toBeGreaterThan(0);
		expect(await allKeys({ profileId: String(profile!.id) })).toEqual(
			inProfile.map((m) => `movie:${m.id}`).sort()
		);

		const [tag] = await world.db
			.insert(tags)
			.values({ connectorId: radarr.id, arrId: 77, label: 'kids' })
			.returning();
		const tagged = inProfile.slice(0, 2).map((m) => m.id);
		await world.db
			.update(movies)
			.set({ tags: [3, 77] })
			.where(inArray(movies.id, tagged));
		expect(await allKeys({ tagId: String(tag!.id) })).toEqual(
			tagged.map((id) => `movie:${id}`).sort()
		);
		const page = await list({ tagId: String(tag!.id) });
		expect(page.items[0]?.tags).toContain('kids');

		const response = await call(contentRoute.GET, `/api/v1/content?tagId=999999`);
		expect(response.status).toBe(400);
		const body = (await response.json()) as {
			error: { code: string; fields: Record<string, string> };
		};
		expect(body.error.code).toBe('validation.failed');
		expect(body.error.fields.tagId).toMatch(/no tag 999999/);
	});

	it('answers the API with the page and names a bad parameter', async () => {
		const ok = await call(
			contentRoute.GET,
			`/api/v1/content?status=missing&kind=movie&pageSize=25`
		);
		expect(ok.status).toBe(200);
		const page = (await ok.json()) as ContentPage;
		expect(page.items.length).toBeGreaterThan(0);
		expect(page.items.every((r) => r.kind === 'movie' && r.search.gaps > 0)).toBe(true);
		for (const [param, value] of [
			['status', 'lost'],
			['pageSize', '1000'],
			['sort', 'size'],
			['connectorId', 'abc'],
			['q', 'x'.repeat(201)]
		] as const) {
			const response = await call(contentRoute.GET, `/api/v1/content?${param}=${value}`);
			expect(response.status, param).toBe(400);
			const body = (await response.json()) as {
				error: { code: string; fields?: Record<string, string> };
			};
			expect(body.error.code).toBe('validation.failed');
			expect(Object.keys(body.error.fields ?? {}), param).toContain(param);
		}
		// Empty fields of a submitted GET form are "not set".
		const blank = await call(contentRoute.GET, `/api/v1/content?status=&q=&connectorId=&page=`);
		expect(blank.status).toBe(200);
	});
});

describe('the status list', () => {
	it('is every status the page offers', () => {
		expect(CONTENT_STATUSES).toEqual([
			'all',
			'missing',
			'upgrade',
			'custom_format',
			'queued',
			'searching',
			'cooldown',
			'exhausted'
		]);
	});
});

describe('custom format upgrades', () => {
	it('lists the rows whose custom format score is below the profile cutoff', async () => {
		const radarr = await world.addConnector('/radarr');
		await syncConnector({
			db: world.db,
			connector: radarr,
			client: clientFor(radarr, world.secrets)
		});
		await world.db
			.update(connectors)
			.set({ customFormatUpgrades: true })
			.where(eq(connectors.id, radarr.id));
		const [profile] = await world.db
			.select()
			.from(qualityProfiles)
			.where(eq(qualityProfiles.connectorId, radarr.id))
			.limit(1);
		await world.db
			.update(qualityProfiles)
			.set({ upgradeAllowed: true, cutoffFormatScore: 100 })
			.where(eq(qualityProfiles.id, profile!.id));
		const low = await world.db
			.select({ id: movies.id })
			.from(movies)
			.where(
				and(
					eq(movies.connectorId, radarr.id),
					eq(movies.hasFile, true),
					eq(movies.monitored, true),
					eq(movies.qualityProfileId, profile!.arrId)
				)
			)
			.limit(3);
		expect(low).toHaveLength(3);
		await world.db
			.update(movies)
			.set({ customFormatScore: 100 })
			.where(eq(movies.connectorId, radarr.id));
		await world.db
			.update(movies)
			.set({ customFormatScore: 10, qualityCutoffNotMet: false })
			.where(
				inArray(
					movies.id,
					low.map((m) => m.id)
				)
			);
		await runSweep({ db: world.db, connector: await world.connector(radarr.id), kind: 'both' });

		const page = await list({ status: 'custom_format', pageSize: '100' });
		expect(page.items.map((r) => r.id).sort()).toEqual(low.map((m) => m.id).sort());
		expect(page.counts.custom_format).toBe(3);
		expect(page.counts.upgrade).toBeGreaterThanOrEqual(3);
	});
});

describe('bulk actions', () => {
	let radarr: Connector;
	beforeEach(async () => {
		await synced('/sonarr');
		radarr = await synced('/radarr');
	});

	it('queues a search for every row matching a filter', async () => {
		const filter = { status: 'missing' as const, connectorId: radarr.id };
		const expected = await allKeys({ status: 'missing', connectorId: String(radarr.id) });
		const started = await startBulkAction(world.db, { action: 'search', scope: { filter } }, null);
		const done = await started.done;
		expect(done.status).toBe('success');
		expect(done.result).toMatchObject({
			action: 'search',
			rows: expected.length,
			changed: expected.length
		});
		expect(done.message).toMatch(
			new RegExp(`^Queued a search for ${expected.length} of ${expected.length} rows`)
		);
		const manual = await world.db
			.select()
			.from(requestQueue)
			.where(and(eq(requestQueue.connectorId, radarr.id), eq(requestQueue.origin, 'manual')));
		const searched = new Set(
			manual.flatMap((r) => (r.payload.name === 'MoviesSearch' ? r.payload.movieIds : []))
		);
		const [{ n }] = (await world.db.execute<{ n: number }>(sql`
			select count(*)::int as n from search_registry
			where connector_id = ${radarr.id} and search_type = 'gap' and state = 'queued'`)) as [
			{ n: number }
		];
		expect(n).toBe(expected.length);
		expect(searched.size).toBeGreaterThanOrEqual(expected.length);
	});

	it('marks a selection exhausted, clears it again, and counts the rows it skipped', async () => {
		const rows = (await list({ status: 'missing', kind: 'movie', pageSize: '25' })).items.slice(
			0,
			3
		);
		const notWanted = (await list({ kind: 'movie', pageSize: '100' })).items.find(
			(r) => r.search.gaps + r.search.upgrades === 0
		);
		expect(rows).toHaveLength(3);
		expect(notWanted).toBeDefined();
		const items = [...rows, notWanted!].map((r) => ({ kind: r.kind, id: r.id }));

		const exhausted = await (
			await startBulkAction(world.db, { action: 'exhaust', scope: { items } }, null)
		).done;
		expect(exhausted.result).toMatchObject({
			rows: 4,
			changed: 3,
			skipped: { 'items.nothing_wanted': 1 }
		});
		expect(exhausted.message).toBe('Marked exhausted 3 of 4 rows (1 nothing wanted).');
		const ids = rows.map((r) => r.id);
		const states = await world.db
			.select({ state: searchRegistry.state })
			.from(searchRegistry)
			.where(inArray(searchRegistry.movieId, ids));
		expect(states.every((s) => s.state === 'exhausted')).toBe(true);
		expect((await list({ status: 'exhausted' })).counts.exhausted).toBe(3);

		const cleared = await (
			await startBulkAction(world.db, { action: 'clear', scope: { items } }, null)
		).done;
		expect(cleared.result).toMatchObject({ changed: 3 });
		const after = await world.db
			.select({ state: searchRegistry.state, attempts: searchRegistry.attempts })
			.from(searchRegistry)
			.where(inArray(searchRegistry.movieId, ids));
		expect(after.every((s) => s.state === 'pending' && s.attempts === 0)).toBe(true);
	});

	it('adjusts the priority of a selection, and 0 clears it', async () => {
		const rows = (await list({ pageSize: '25' })).items.slice(0, 2);
		const items = rows.map((r) => ({ kind: r.kind, id: r.id }));
		await (
			await startBulkAction(world.db, { action: 'priority', delta: 250, scope: { items } }, null)
		).done;
		const set = await world.db.select().from(priorityOverrides);
		expect(set.map((o) => o.delta)).toEqual([250, 250]);
		const cleared = await (
			await startBulkAction(world.db, { action: 'priority', delta: 0, scope: { items } }, null)
		).done;
		expect(cleared.result).toMatchObject({ changed: 2 });
		expect(await world.db.select().from(priorityOverrides)).toEqual([]);
	});

	it('starts through the API and refuses a body that is not one', async () => {
		const ok = await call(bulkRoute.POST, '/api/v1/content/bulk', {
			method: 'POST',
			body: { action: 'exhaust', filter: { status: 'missing', kind: 'movie' } }
		});
		expect(ok.status).toBe(202);
		const { run } = (await ok.json()) as { run: { id: number; job: string } };
		expect(run.job).toBe('content.bulk');
		// Let the run end before the next test empties the tables under it.
		for (let i = 0; i < 200 && isLive((await getJobRun(world.db, run.id))!.status); i++) {
			await new Promise((resolve) => setTimeout(resolve, 25));
		}
		expect((await getJobRun(world.db, run.id))?.status).toBe('success');

		for (const [body, field] of [
			[{ action: 'exhaust' }, 'items'],
			[{ action: 'exhaust', items: [{ kind: 'movie', id: 1 }], filter: {} }, 'items'],
			[{ action: 'priority', items: [{ kind: 'movie', id: 1 }] }, 'delta'],
			[{ action: 'search', delta: 5, items: [{ kind: 'movie', id: 1 }] }, 'delta'],
			[{ action: 'search', items: [] }, 'items'],
			[{ action: 'search', items: [{ kind: 'episode', id: 1 }] }, 'items'],
			[{ action: 'shout', items: [{ kind: 'movie', id: 1 }] }, 'action'],
			[{ action: 'search', filter: { status: 'lost' } }, 'filter']
		] as const) {
			const response = await call(bulkRoute.POST, '/api/v1/content/bulk', { method: 'POST', body });
			expect(response.status, JSON.stringify(body)).toBe(400);
			const error = (
				(await response.json()) as { error: { code: string; fields?: Record<string, string> } }
			).error;
			expect(error.code).toBe('validation.failed');
			expect(
				Object.keys(error.fields ?? {}).some((k) => k.startsWith(field)),
				JSON.stringify(body)
			).toBe(true);
		}
	});
});

describe('the registry series column', () => {
	it('holds each episode row’s series', async () => {
		await synced('/sonarr');
		const [{ wrong, total }] = (await world.db.execute<{ wrong: number; total: number }>(sql`
			select count(*) filter (where r.series_id is distinct from e.series_id)::int as wrong,
			       count(*)::int as total
			from search_registry r join episodes e on e.id = r.episode_id`)) as [
			{ wrong: number; total: number }
		];
		expect(total).toBeGreaterThan(0);
		expect(wrong).toBe(0);
	});
});
