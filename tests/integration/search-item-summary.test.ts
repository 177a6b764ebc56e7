/**
 * `search_item_summary` (the content browser's per-item registry totals) is maintained by
 * PostgreSQL triggers on `search_registry`: after every kind of write — a sweep's inserts, state
 * and last-search updates, a cleared search state, deletes, a cascade from the mirror, two
 * transactions changing one series at once, a truncate — it equals the registry grouped the long
 * way.
 */
import { describe, expect, it } from 'vitest';
import { sql, type SQL } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import { clientFor } from '../../src/lib/server/connectors';
import { syncConnector } from '../../src/lib/server/services/sync/sync-service';
import { runSweep } from '../../src/lib/server/services/queue/sweep';
import type { Connector } from '../../src/lib/server/db/schema';

const world = useWorld();

type SummaryRow = {
	kind: string;
	item_id: number;
	connector_id: number;
	entries: number;
	gaps: number;
	upgrades: number;
	queued: number;
	searching: number;
	cooldown: number;
	exhausted: number;
	last_searched_at: string | null;
};

const COLUMNS = sql`kind, item_id, connector_id, entries, gaps, upgrades, queued, searching,
	cooldown, exhausted, last_searched_at::text`;

async function rowsOf(query: SQL): Promise<SummaryRow[]> {
	// drizzle's execute() types rows as Record<string, any>: the query's columns are SummaryRow's.
	return [...(await world.db.execute(query))] as SummaryRow[];
}

/** The registry grouped per item, as the triggers should have summed it. */
async function expected(): Promise<SummaryRow[]> {
	return rowsOf(sql`
		select ${COLUMNS} from (
			select case when series_id is null then 'movie' else 'series' end as kind,
			       coalesce(series_id, movie_id) as item_id, max(connector_id) as connector_id,
			       count(*)::int as entries,
			       (count(*) filter (where search_type = 'gap'))::int as gaps,
			       (count(*) filter (where search_type = 'upgrade'))::int as upgrades,
			       (count(*) filter (where state = 'queued'))::int as queued,
			       (count(*) filter (where state = 'searching'))::int as searching,
			       (count(*) filter (where state = 'cooldown'))::int as cooldown,
			       (count(*) filter (where state = 'exhausted'))::int as exhausted,
			       max(last_searched_at) as last_searched_at
			from search_registry group by 1, 2) g
		order by kind, item_id`);
}

/** The maintained rows that still stand for registry rows; the others must be all zero. */
async function maintained(): Promise<SummaryRow[]> {
	const [zero] = await world.db.execute<{ bad: number }>(sql`
		select count(*)::int as bad from search_item_summary
		where entries = 0 and (gaps <> 0 or upgrades <> 0 or queued <> 0 or searching <> 0
			or cooldown <> 0 or exhausted <> 0 or last_searched_at is not null)`);
	expect(zero?.bad, 'an item without registry rows keeps counts or a last search').toBe(0);
	return rowsOf(
		sql`select ${COLUMNS} from search_item_summary where entries <> 0 order by kind, item_id`
	);
}

async function expectInStep(): Promise<void> {
	expect(await maintained()).toEqual(await expected());
}

async function synced(urlBase: '/sonarr' | '/radarr'): Promise<Connector> {
	const connector = await world.addConnector(urlBase);
	await syncConnector({ db: world.db, connector, client: clientFor(connector, world.secrets) });
	await runSweep({ db: world.db, connector, kind: 'both' });
	return connector;
}

describe('search_item_summary', () => {
	it('follows every write to the registry', async () => {
		await synced('/sonarr');
		await synced('/radarr');
		const [count] = await world.db.execute<{ series: number; movies: number }>(sql`
			select count(*) filter (where kind = 'series')::int as series,
			       count(*) filter (where kind = 'movie')::int as movies
			from search_item_summary where entries > 0`);
		expect(count?.series).toBeGreaterThan(0);
		expect(count?.movies).toBeGreaterThan(0);
		await expectInStep();

		// States and searches, as the dispatcher and the outcome write them.
		await world.db.execute(sql`
			update search_registry set state = 'searching', last_searched_at = now() - interval '2 hours'
			where id in (select id from search_registry order by id limit 7)`);
		await world.db.execute(sql`
			update search_registry set state = 'cooldown', last_searched_at = now()
			where id in (select id from search_registry order by id desc limit 5)`);
		await world.db.execute(sql`
			update search_registry set state = 'exhausted' where id in (
				select id from search_registry where state = 'pending' order by id limit 3)`);
		await expectInStep();

		// A priority-only update changes no count.
		const before = await maintained();
		await world.db.execute(sql`update search_registry set priority = priority + 1`);
		expect(await maintained()).toEqual(before);

		// Clearing search state moves an item's latest search back.
		await world.db.execute(sql`
			update search_registry set state = 'pending', last_searched_at = null
			where id in (select id from search_registry where last_searched_at is not null order by id limit 4)`);
		await expectInStep();

		// Acquired: rows deleted, including the one holding an item's latest search.
		await world.db.execute(sql`
			delete from search_registry where id in (
				select id from search_registry where last_searched_at is not null order by id limit 2)`);
		await world.db.execute(sql`
			delete from search_registry where id in (select id from search_registry order by id limit 3)`);
		await expectInStep();

		// A series leaves the mirror: its episodes' rows go by cascade.
		await world.db.execute(sql`
			delete from series where id = (select series_id from search_registry
				where series_id is not null order by id limit 1)`);
		await expectInStep();
	});

	it('adds up two transactions that change one series at once', async () => {
		await synced('/sonarr');
		const [target] = await world.db.execute<{ series_id: number; ids: number[] }>(sql`
			select series_id, array_agg(id order by id) as ids from search_registry
			where series_id is not null group by series_id having count(*) >= 2
			order by count(*) desc limit 1`);
		expect(target, 'a series with two wanted episodes').toBeTruthy();
		const [first, second] = target!.ids;
		await world.db.execute(
			sql`update search_registry set state = 'pending' where series_id = ${target!.series_id}`
		);
		const queuedNow = async () => {
			const [row] = await world.db.execute<{ queued: number }>(
				sql`select queued from search_item_summary where kind = 'series' and item_id = ${target!.series_id}`
			);
			return row?.queued;
		};
		const before = (await queuedNow())!;
		// Two connections of their own, each in its own transaction.
		const a = await world.db.$client.reserve();
		const b = await world.db.$client.reserve();
		try {
			await a`begin`;
			await a`update search_registry set state = 'queued' where id = ${first!}`;
			await b`begin`;
			// Waits for a's lock on the summary row, then must add to a's committed count.
			const secondUpdate = b`update search_registry set state = 'queued' where id = ${second!}`;
			await new Promise((resolve) => setTimeout(resolve, 200));
			await a`commit`;
			await secondUpdate;
			await b`commit`;
		} finally {
			await a.release();
			await b.release();
		}
		expect(await queuedNow()).toBe(before + 2);
		await expectInStep();
	});

	it('is emptied by a truncate of the registry', async () => {
		await synced('/radarr');
		await world.db.execute(sql`truncate search_registry cascade`);
		expect(await maintained()).toEqual([]);
		await expectInStep();
	});
});
