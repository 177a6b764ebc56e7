/**
 * The content browser's read model (issue 11 §1): one listing over every connector's series and
 * movies, filtered, sorted and paginated in PostgreSQL, with the number of rows each status
 * filter would show. It reads the mirror and the search registry only — never an *arr app.
 *
 * Rows are series (a row stands for its episodes) and movies. Search-state filters, counts and
 * the wanted / last-searched sorts read `search_item_summary`: the search registry
 * (`search_registry`, one row per wanted episode or movie and search type) summed per series or
 * movie by PostgreSQL triggers, so no page view groups the registry. Only the custom-format filter
 * reads the registry itself (it depends on file scores the summary does not follow). The title
 * search folds case and accents (`comradarr_unaccent(lower(…))`) and tolerates typos with
 * pg_trgm's word similarity (`<%`, default threshold 0.6), both served by the trigram indexes
 * `series_title_trgm_idx` / `movies_title_trgm_idx`.
 *
 * Performance: a page is three statements — the page itself (read off the sort-title indexes
 * `series_sort_title_idx` / `movies_sort_title_idx` when sorted by title), the per-status counts
 * (the total is the count of the query's own status), and the details of the page's rows —
 * measured by tests/bench/content.ts.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db';
import type {
	ContentFilter,
	ContentKind,
	ContentQuery,
	ContentRef,
	ContentStatus
} from '$lib/schemas/content';
import { CONTENT_STATUSES } from '$lib/schemas/content';
import type {
	ContentCounts,
	ContentFilterOptions,
	ContentPage,
	ContentRow
} from '$lib/types/content';
import type { ConnectorType } from '../../db/schema';
import { DomainError } from '../../errors';
import { customFormatUpgradeCondition } from '../discovery/discovery-service';

export type { ContentCounts, ContentFilterOptions, ContentPage, ContentRow };

/** `content.unknown_filter` (400): a filter names a quality profile or tag that does not exist. */
export class UnknownFilterError extends DomainError {
	constructor(field: 'profileId' | 'tagId', id: number) {
		const what = field === 'profileId' ? 'quality profile' : 'tag';
		super('validation.failed', `There is no ${what} ${id}.`, {
			status: 400,
			fields: { [field]: `There is no ${what} ${id}.` }
		});
		this.name = 'UnknownFilterError';
	}
}

/** `comradarr_unaccent(lower(x))`: the folded form the trigram indexes hold. */
const folded = (value: SQL) => sql`comradarr_unaccent(lower(${value}))`;

/** `%` and `_` and `\` taken literally in a LIKE pattern. */
function likeEscape(text: string): string {
	return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A profile or tag filter resolved to the app's id within its connector. */
interface Scoped {
	connectorId: number;
	arrId: number;
}

interface ResolvedFilter extends ContentFilter {
	profile?: Scoped | undefined;
	tag?: Scoped | undefined;
}

async function resolveFilter(db: DbOrTx, filter: ContentFilter): Promise<ResolvedFilter> {
	const resolved: ResolvedFilter = { ...filter };
	if (filter.profileId !== undefined) {
		const [row] = await db.execute<{ connector_id: number; arr_id: number }>(
			sql`select connector_id, arr_id from quality_profiles where id = ${filter.profileId}`
		);
		if (!row) throw new UnknownFilterError('profileId', filter.profileId);
		resolved.profile = { connectorId: row.connector_id, arrId: row.arr_id };
	}
	if (filter.tagId !== undefined) {
		const [row] = await db.execute<{ connector_id: number; arr_id: number }>(
			sql`select connector_id, arr_id from tags where id = ${filter.tagId}`
		);
		if (!row) throw new UnknownFilterError('tagId', filter.tagId);
		resolved.tag = { connectorId: row.connector_id, arrId: row.arr_id };
	}
	return resolved;
}

/**
 * The condition (alias `x`, a `search_item_summary` row) under which an item shows under
 * `status`; null for `all` and for `custom_format`, which the registry decides (`cfCondition`).
 */
function summaryCondition(status: ContentStatus): SQL | null {
	switch (status) {
		case 'all':
		case 'custom_format':
			return null;
		case 'missing':
			return sql`x.gaps > 0`;
		case 'upgrade':
			return sql`x.upgrades > 0`;
		case 'queued':
			return sql`x.queued > 0`;
		case 'searching':
			return sql`x.searching > 0`;
		case 'cooldown':
			return sql`x.cooldown > 0`;
		case 'exhausted':
			return sql`x.exhausted > 0`;
	}
}

/**
 * The registry rows (alias `r`) that make their item a custom-format upgrade: upgrade rows of a
 * connector with custom-format upgrades on whose file scores below the profile's cutoff score.
 */
const cfCondition = sql`r.search_type = 'upgrade'
	and r.connector_id in (select id from connectors where custom_format_upgrades) and (
	(r.movie_id is not null and exists (select 1 from movies m
		where m.id = r.movie_id and ${customFormatUpgradeCondition('movies')}))
	or (r.episode_id is not null and exists (select 1 from episodes e join series s on s.id = e.series_id
		where e.id = r.episode_id and ${customFormatUpgradeCondition('series')})))`;

/** Conditions on a mirror table (alias `t`) shared by series and movies, without the status. */
function mirrorConditions(filter: ResolvedFilter): SQL[] {
	const where: SQL[] = [];
	if (filter.connectorId !== undefined) where.push(sql`t.connector_id = ${filter.connectorId}`);
	if (filter.monitored !== undefined) where.push(sql`t.monitored = ${filter.monitored}`);
	if (filter.profile) {
		where.push(
			sql`t.connector_id = ${filter.profile.connectorId} and t.quality_profile_id = ${filter.profile.arrId}`
		);
	}
	if (filter.tag) {
		where.push(
			sql`t.connector_id = ${filter.tag.connectorId} and t.tags @> jsonb_build_array(${filter.tag.arrId}::int)`
		);
	}
	if (filter.q !== undefined) {
		const title = folded(sql`t.title`);
		const pattern = sql`'%' || comradarr_unaccent(${likeEscape(filter.q.toLowerCase())}) || '%'`;
		where.push(
			sql`(${title} like ${pattern} or ${folded(sql`${filter.q}`)} operator(extensions.<%) ${title})`
		);
	}
	return where;
}

/**
 * `where a and b`, or nothing: a bare `where true` keeps PostgreSQL from flattening the union of
 * series and movies, and so from reading the page off the sort-title indexes (Merge Append).
 */
function whereClause(conditions: SQL[]): SQL {
	return conditions.length === 0 ? sql`` : sql`where ${sql.join(conditions, sql` and `)}`;
}

/**
 * The rows matching `filter` (without a status when `withStatus` is false), as `kind, id` plus
 * the columns the page sorts by. Aliases: series/movies `t`.
 */
function matching(filter: ResolvedFilter, withStatus: boolean): SQL {
	const status = withStatus && filter.status !== 'all' ? filter.status : null;
	const connector = filter.connectorId === undefined ? null : filter.connectorId;
	const parts: SQL[] = [];
	const relevance =
		filter.q === undefined
			? sql`0::real`
			: sql`extensions.word_similarity(${folded(sql`${filter.q}`)}, ${folded(sql`t.title`)})`;
	for (const kind of ['series', 'movie'] as const) {
		if (filter.kind !== undefined && filter.kind !== kind) continue;
		const where = mirrorConditions(filter);
		if (status === 'custom_format') {
			const column = kind === 'series' ? sql`r.series_id` : sql`r.movie_id`;
			where.push(
				sql`t.id in (select ${column} from search_registry r where ${column} is not null
					${connector === null ? sql`` : sql`and r.connector_id = ${connector}`} and ${cfCondition})`
			);
		} else if (status) {
			where.push(
				sql`t.id in (select x.item_id from search_item_summary x where x.kind = ${kind}
					${connector === null ? sql`` : sql`and x.connector_id = ${connector}`}
					and ${summaryCondition(status)})`
			);
		}
		const table = kind === 'series' ? sql`series` : sql`movies`;
		parts.push(sql`
			select ${kind}::text as kind, t.id, t.connector_id, t.title,
			       coalesce(t.sort_title, lower(t.title)) as sort_title, t.year, t.added,
			       ${relevance} as relevance
			from ${table} t ${whereClause(where)}`);
	}
	if (parts.length === 0) {
		return sql`select null::text as kind, null::int as id, null::int as connector_id, null::text as title,
			null::text as sort_title, null::int as year, null::timestamptz as added, 0::real as relevance where false`;
	}
	return sql.join(parts, sql` union all `);
}

/**
 * Registry aggregates of the page's rows (kind, id), with the next eligible time the summary does
 * not keep.
 */
function registryAggregates(page: { series: number[]; movies: number[] }): SQL {
	const among = (column: SQL, ids: number[]) =>
		ids.length === 0
			? sql`false`
			: sql`${column} in (${sql.join(
					ids.map((id) => sql`${id}`),
					sql`, `
				)})`;
	const seriesScope = among(sql`r.series_id`, page.series);
	const movieScope = among(sql`r.movie_id`, page.movies);
	const columns = sql`
		count(*) filter (where r.search_type = 'gap')::int as gaps,
		count(*) filter (where r.search_type = 'upgrade')::int as upgrades,
		count(*) filter (where r.state = 'queued')::int as queued,
		count(*) filter (where r.state = 'searching')::int as searching,
		count(*) filter (where r.state = 'cooldown')::int as cooldown,
		count(*) filter (where r.state = 'exhausted')::int as exhausted,
		max(r.last_searched_at) as last_searched_at,
		min(r.next_eligible_at) filter (where r.state = 'cooldown') as next_eligible_at`;
	return sql`
		select 'series'::text as kind, r.series_id as id, ${columns}
		from search_registry r where ${seriesScope} group by r.series_id
		union all
		select 'movie'::text as kind, r.movie_id as id, ${columns}
		from search_registry r where ${movieScope} group by r.movie_id`;
}

function orderBy(query: ContentQuery): SQL {
	const dir = query.dir === 'asc' ? sql`asc` : sql`desc`;
	const nulls = sql`nulls last`;
	const tie = sql`m.sort_title asc, m.id asc, m.kind asc`;
	switch (query.sort) {
		case 'relevance':
			return sql`m.relevance desc, ${tie}`;
		case 'title':
			return sql`m.sort_title ${dir}, m.id ${dir}, m.kind ${dir}`;
		case 'year':
			return sql`m.year ${dir} ${nulls}, ${tie}`;
		case 'added':
			return sql`m.added ${dir} ${nulls}, ${tie}`;
		case 'connector':
			return sql`c.name ${dir}, ${tie}`;
		case 'wanted':
			return sql`coalesce(a.gaps + a.upgrades, 0) ${dir}, ${tie}`;
		case 'last_searched':
			return sql`a.last_searched_at ${dir} ${nulls}, ${tie}`;
	}
}

const needsAggregates = (query: ContentQuery) =>
	query.sort === 'wanted' || query.sort === 'last_searched';

type PageRow = {
	kind: ContentKind;
	id: number;
	connector_id: number;
};

type CountRow = {
	all: number;
	missing: number;
	upgrade: number;
	custom_format: number;
	queued: number;
	searching: number;
	cooldown: number;
	exhausted: number;
};

/** Whether `filter` narrows the mirror beyond connector and kind (then counts must join it). */
function narrowsMirror(filter: ResolvedFilter): boolean {
	return (
		filter.monitored !== undefined ||
		filter.profile !== undefined ||
		filter.tag !== undefined ||
		filter.q !== undefined
	);
}

/** `count(*) filter (…)` of each summary status over the rows `f` (a summary row, or nulls). */
const SUMMARY_COUNTS = sql`
	count(*) filter (where f.gaps > 0)::int as missing,
	count(*) filter (where f.upgrades > 0)::int as upgrade,
	count(*) filter (where f.queued > 0)::int as queued,
	count(*) filter (where f.searching > 0)::int as searching,
	count(*) filter (where f.cooldown > 0)::int as cooldown,
	count(*) filter (where f.exhausted > 0)::int as exhausted`;

/**
 * The counts when only connector and kind filter: per kind, the mirror table's size and one pass
 * over that kind's `search_item_summary` rows (no join with the mirror), plus the custom-format
 * upgrades from the registry.
 */
async function registryCounts(db: DbOrTx, filter: ResolvedFilter): Promise<ContentCounts> {
	const kinds = (['series', 'movie'] as const).filter(
		(k) => filter.kind === undefined || filter.kind === k
	);
	const connector = filter.connectorId;
	const rows = await Promise.all(
		kinds.map(async (kind) => {
			const column = kind === 'series' ? sql`r.series_id` : sql`r.movie_id`;
			const table = kind === 'series' ? sql`series` : sql`movies`;
			const [row] = await db.execute<CountRow>(sql`
				select (select count(*) from ${table} t
				        ${connector === undefined ? sql`` : sql`where t.connector_id = ${connector}`})::int as all,
				       ${SUMMARY_COUNTS},
				       (select count(distinct ${column}) from search_registry r
				        where ${column} is not null
				        ${connector === undefined ? sql`` : sql`and r.connector_id = ${connector}`}
				        and ${cfCondition})::int as custom_format
				from search_item_summary f where f.kind = ${kind}
				${connector === undefined ? sql`` : sql`and f.connector_id = ${connector}`}`);
			return row;
		})
	);
	const counts = {} as ContentCounts;
	for (const status of CONTENT_STATUSES) {
		counts[status] = rows.reduce((sum, row) => sum + (row?.[status] ?? 0), 0);
	}
	return counts;
}

/** Rows each status filter would show, for `filter` without its status. */
async function statusCounts(db: DbOrTx, filter: ResolvedFilter): Promise<ContentCounts> {
	if (!narrowsMirror(filter)) return registryCounts(db, filter);
	const connector =
		filter.connectorId === undefined ? sql`` : sql`and r.connector_id = ${filter.connectorId}`;
	const [row] = await db.execute<CountRow>(sql`
		with m as (${matching(filter, false)}),
		cf as (
			select distinct coalesce(r.series_id, r.movie_id) as id,
			       case when r.series_id is null then 'movie' else 'series' end as kind
			from search_registry r where ${cfCondition} ${connector}
		)
		select count(*)::int as all, ${SUMMARY_COUNTS}, count(cf.id)::int as custom_format
		from m
		left join search_item_summary f on f.kind = m.kind and f.item_id = m.id
		left join cf on cf.kind = m.kind and cf.id = m.id`);
	const counts = {} as ContentCounts;
	for (const status of CONTENT_STATUSES) counts[status] = row?.[status] ?? 0;
	return counts;
}

type DetailRow = {
	kind: ContentKind;
	id: number;
	connector_id: number;
	connector_name: string;
	connector_type: ConnectorType;
	title: string;
	year: number | null;
	monitored: boolean;
	status: string | null;
	quality_profile: string | null;
	tags: string[] | null;
	quality: string | null;
	custom_format_score: number | null;
	have: number;
	total: number;
	added: string | null;
};

type AggregateRow = {
	kind: ContentKind;
	id: number;
	gaps: number;
	upgrades: number;
	queued: number;
	searching: number;
	cooldown: number;
	exhausted: number;
	last_searched_at: string | Date | null;
	next_eligible_at: string | Date | null;
};

const iso = (value: string | Date | null | undefined): string | null =>
	value === null || value === undefined ? null : new Date(value).toISOString();

/** The columns of the page's rows, in the page's order. */
async function rowDetails(db: DbOrTx, refs: ContentRef[]): Promise<ContentRow[]> {
	if (refs.length === 0) return [];
	const seriesIds = refs.filter((r) => r.kind === 'series').map((r) => r.id);
	const movieIds = refs.filter((r) => r.kind === 'movie').map((r) => r.id);
	const ids = (list: number[]) =>
		list.length === 0
			? sql`null`
			: sql.join(
					list.map((id) => sql`${id}`),
					sql`, `
				);
	const tagLabels = sql`(select coalesce(array_agg(tg.label order by x.ord), '{}')
		from jsonb_array_elements_text(t.tags) with ordinality as x(arr_id, ord)
		join tags tg on tg.connector_id = t.connector_id and tg.arr_id = x.arr_id::int)`;
	const [details, aggregates] = await Promise.all([
		db.execute<DetailRow>(sql`
			select 'series'::text as kind, t.id, t.connector_id, c.name as connector_name, c.type as connector_type,
			       t.title, t.year, t.monitored, t.status, qp.name as quality_profile, ${tagLabels} as tags,
			       null::text as quality, null::int as custom_format_score,
			       coalesce(st.have, 0)::int as have, coalesce(st.total, 0)::int as total, t.added
			from series t
			join connectors c on c.id = t.connector_id
			left join quality_profiles qp on qp.connector_id = t.connector_id and qp.arr_id = t.quality_profile_id
			left join lateral (select sum(se.episode_file_count) as have, sum(se.episode_count) as total
				from seasons se where se.series_id = t.id) st on true
			where t.id in (${ids(seriesIds)})
			union all
			select 'movie'::text, t.id, t.connector_id, c.name, c.type,
			       t.title, t.year, t.monitored, t.status, qp.name, ${tagLabels},
			       t.quality, t.custom_format_score,
			       (case when t.has_file then 1 else 0 end)::int, 1, t.added
			from movies t
			join connectors c on c.id = t.connector_id
			left join quality_profiles qp on qp.connector_id = t.connector_id and qp.arr_id = t.quality_profile_id
			where t.id in (${ids(movieIds)})`),
		db.execute<AggregateRow>(registryAggregates({ series: seriesIds, movies: movieIds }))
	]);
	const key = (kind: string, id: number) => `${kind}:${id}`;
	const byKey = new Map(details.map((d) => [key(d.kind, d.id), d]));
	const aggregateByKey = new Map(aggregates.map((a) => [key(a.kind, a.id), a]));
	const rows: ContentRow[] = [];
	for (const ref of refs) {
		const d = byKey.get(key(ref.kind, ref.id));
		if (!d) continue; // deleted between the two statements
		const a = aggregateByKey.get(key(ref.kind, ref.id));
		rows.push({
			kind: d.kind,
			id: d.id,
			connector: { id: d.connector_id, name: d.connector_name, type: d.connector_type },
			title: d.title,
			year: d.year,
			monitored: d.monitored,
			status: d.status,
			qualityProfile: d.quality_profile,
			tags: d.tags ?? [],
			quality: d.quality,
			customFormatScore: d.custom_format_score,
			files: { have: d.have, total: d.total },
			search: {
				gaps: a?.gaps ?? 0,
				upgrades: a?.upgrades ?? 0,
				queued: a?.queued ?? 0,
				searching: a?.searching ?? 0,
				cooldown: a?.cooldown ?? 0,
				exhausted: a?.exhausted ?? 0,
				lastSearchedAt: iso(a?.last_searched_at),
				nextEligibleAt: iso(a?.next_eligible_at)
			},
			added: iso(d.added)
		});
	}
	return rows;
}

/**
 * One page of the content browser for `query`, with the total and the per-status counts.
 * @throws UnknownFilterError (400) when `profileId` or `tagId` names nothing.
 */
export async function listContent(db: DbOrTx, query: ContentQuery): Promise<ContentPage> {
	const filter = await resolveFilter(db, query);
	const offset = (query.page - 1) * query.pageSize;
	const aggregates = needsAggregates(query)
		? sql`left join search_item_summary a on a.kind = m.kind and a.item_id = m.id`
		: sql``;
	const connectorJoin =
		query.sort === 'connector' ? sql`join connectors c on c.id = m.connector_id` : sql``;
	const [page, counts] = await Promise.all([
		db.execute<PageRow>(sql`
			with m as (${matching(filter, true)})
			select m.kind, m.id, m.connector_id
			from m ${connectorJoin} ${aggregates}
			order by ${orderBy(query)}
			limit ${query.pageSize} offset ${offset}`),
		statusCounts(db, filter)
	]);
	return {
		items: await rowDetails(
			db,
			page.map((r) => ({ kind: r.kind, id: r.id }))
		),
		page: query.page,
		pageSize: query.pageSize,
		// The count of the query's status under its other filters is the query's own count.
		total: counts[query.status],
		counts
	};
}

/**
 * Every row matching `filter` (no page), in title order, for a bulk action over a filter.
 * @throws UnknownFilterError (400).
 */
export async function matchingRefs(db: DbOrTx, filter: ContentFilter): Promise<ContentRef[]> {
	const resolved = await resolveFilter(db, filter);
	const rows = await db.execute<{ kind: ContentKind; id: number }>(sql`
		with m as (${matching(resolved, true)})
		select m.kind, m.id from m order by m.sort_title, m.kind, m.id`);
	return rows.map((r) => ({ kind: r.kind, id: r.id }));
}

/** Connectors, quality profiles and tags for the filter form, by name. */
export async function contentFilterOptions(db: DbOrTx): Promise<ContentFilterOptions> {
	const [connectorRows, profiles, tagRows] = await Promise.all([
		db.execute<{ id: number; name: string; type: ConnectorType }>(
			sql`select id, name, type from connectors order by name, id`
		),
		db.execute<{ id: number; name: string; connector_id: number; connector_name: string }>(sql`
			select qp.id, qp.name, qp.connector_id, c.name as connector_name
			from quality_profiles qp join connectors c on c.id = qp.connector_id
			order by c.name, qp.name, qp.id`),
		db.execute<{ id: number; label: string; connector_id: number; connector_name: string }>(sql`
			select tg.id, tg.label, tg.connector_id, c.name as connector_name
			from tags tg join connectors c on c.id = tg.connector_id
			order by c.name, tg.label, tg.id`)
	]);
	return {
		connectors: connectorRows.map((c) => ({ id: c.id, name: c.name, type: c.type })),
		qualityProfiles: profiles.map((p) => ({
			id: p.id,
			name: p.name,
			connectorId: p.connector_id,
			connectorName: p.connector_name
		})),
		tags: tagRows.map((t) => ({
			id: t.id,
			label: t.label,
			connectorId: t.connector_id,
			connectorName: t.connector_name
		}))
	};
}
