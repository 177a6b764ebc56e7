/**
 * The content browser's read model (issue 11 §1): one listing over every connector's series and
 * movies, filtered, sorted and paginated in PostgreSQL, with the number of rows each status
 * filter would show. It reads the mirror and the search registry only — never an *arr app.
 *
 * Rows are series (a row stands for its episodes) and movies. Search-state filters and counts
 * come from the search registry (`search_registry`: one row per wanted episode or movie and
 * search type, written by discovery), which carries each episode's series (`series_id`), so a
 * series filter is a semi-join over the registry's indexes, not over the episodes. The title
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

/** The registry condition (alias `r`) of a status filter; null for `all`. */
function registryCondition(status: ContentStatus): SQL | null {
	switch (status) {
		case 'all':
			return null;
		case 'missing':
			return sql`r.search_type = 'gap'`;
		case 'upgrade':
			return sql`r.search_type = 'upgrade'`;
		case 'custom_format':
			return sql`r.search_type = 'upgrade'
				and r.connector_id in (select id from connectors where custom_format_upgrades) and (
				(r.movie_id is not null and exists (select 1 from movies m
					where m.id = r.movie_id and ${customFormatUpgradeCondition('movies')}))
				or (r.episode_id is not null and exists (select 1 from episodes e join series s on s.id = e.series_id
					where e.id = r.episode_id and ${customFormatUpgradeCondition('series')})))`;
		default:
			return sql`r.state = ${status}`;
	}
}

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
	const status = withStatus ? registryCondition(filter.status) : null;
	const connector = filter.connectorId === undefined ? null : filter.connectorId;
	const parts: SQL[] = [];
	const relevance =
		filter.q === undefined
			? sql`0::real`
			: sql`extensions.word_similarity(${folded(sql`${filter.q}`)}, ${folded(sql`t.title`)})`;
	for (const kind of ['series', 'movie'] as const) {
		if (filter.kind !== undefined && filter.kind !== kind) continue;
		const where = mirrorConditions(filter);
		if (status) {
			const column = kind === 'series' ? sql`r.series_id` : sql`r.movie_id`;
			where.push(
				sql`t.id in (select ${column} from search_registry r where ${column} is not null
					${connector === null ? sql`` : sql`and r.connector_id = ${connector}`} and ${status})`
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

/** Registry aggregates per row (kind, id), optionally limited to some rows. */
function registryAggregates(limitTo?: { series: number[]; movies: number[] }): SQL {
	const seriesScope = limitTo
		? limitTo.series.length === 0
			? sql`false`
			: sql`r.series_id in (${sql.join(
					limitTo.series.map((id) => sql`${id}`),
					sql`, `
				)})`
		: sql`r.series_id is not null`;
	const movieScope = limitTo
		? limitTo.movies.length === 0
			? sql`false`
			: sql`r.movie_id in (${sql.join(
					limitTo.movies.map((id) => sql`${id}`),
					sql`, `
				)})`
		: sql`r.movie_id is not null`;
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

/**
 * The counts when only connector and kind filter: from the registry alone, one pass per kind over
 * its series/movie index (no join with the mirror), plus a count of the mirror table.
 */
async function registryCounts(db: DbOrTx, filter: ResolvedFilter): Promise<ContentCounts> {
	const scope =
		filter.connectorId === undefined ? sql`` : sql`and r.connector_id = ${filter.connectorId}`;
	const kinds = (['series', 'movie'] as const).filter(
		(k) => filter.kind === undefined || filter.kind === k
	);
	const cf = registryCondition('custom_format');
	const rows = await Promise.all(
		kinds.map(async (kind) => {
			const column = kind === 'series' ? sql`r.series_id` : sql`r.movie_id`;
			const table = kind === 'series' ? sql`series` : sql`movies`;
			const mirrorScope =
				filter.connectorId === undefined
					? sql``
					: sql`where t.connector_id = ${filter.connectorId}`;
			const [row] = await db.execute<CountRow>(sql`
				select (select count(*) from ${table} t ${mirrorScope})::int as all,
				       count(*) filter (where f.missing)::int as missing,
				       count(*) filter (where f.upgrade)::int as upgrade,
				       (select count(distinct ${column}) from search_registry r
				        where ${column} is not null ${scope} and ${cf})::int as custom_format,
				       count(*) filter (where f.queued)::int as queued,
				       count(*) filter (where f.searching)::int as searching,
				       count(*) filter (where f.cooldown)::int as cooldown,
				       count(*) filter (where f.exhausted)::int as exhausted
				from (
					select bool_or(r.search_type = 'gap') as missing, bool_or(r.search_type = 'upgrade') as upgrade,
					       bool_or(r.state = 'queued') as queued, bool_or(r.state = 'searching') as searching,
					       bool_or(r.state = 'cooldown') as cooldown, bool_or(r.state = 'exhausted') as exhausted
					from search_registry r where ${column} is not null ${scope}
					group by ${column}
				) f`);
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
	const cf = registryCondition('custom_format');
	const [row] = await db.execute<CountRow>(sql`
		with m as (${matching(filter, false)}),
		flags as (
			select 'series'::text as kind, r.series_id as id,
			       bool_or(r.search_type = 'gap') as missing, bool_or(r.search_type = 'upgrade') as upgrade,
			       bool_or(r.state = 'queued') as queued, bool_or(r.state = 'searching') as searching,
			       bool_or(r.state = 'cooldown') as cooldown, bool_or(r.state = 'exhausted') as exhausted
			from search_registry r where r.series_id is not null
			${filter.connectorId === undefined ? sql`` : sql`and r.connector_id = ${filter.connectorId}`}
			group by r.series_id
			union all
			select 'movie'::text, r.movie_id,
			       bool_or(r.search_type = 'gap'), bool_or(r.search_type = 'upgrade'),
			       bool_or(r.state = 'queued'), bool_or(r.state = 'searching'),
			       bool_or(r.state = 'cooldown'), bool_or(r.state = 'exhausted')
			from search_registry r where r.movie_id is not null
			${filter.connectorId === undefined ? sql`` : sql`and r.connector_id = ${filter.connectorId}`}
			group by r.movie_id
		),
		cf as (
			select distinct coalesce(r.series_id, r.movie_id) as id,
			       case when r.series_id is null then 'movie' else 'series' end as kind
			from search_registry r where ${cf}
			${filter.connectorId === undefined ? sql`` : sql`and r.connector_id = ${filter.connectorId}`}
		)
		select count(*)::int as all,
		       count(*) filter (where f.missing)::int as missing,
		       count(*) filter (where f.upgrade)::int as upgrade,
		       count(cf.id)::int as custom_format,
		       count(*) filter (where f.queued)::int as queued,
		       count(*) filter (where f.searching)::int as searching,
		       count(*) filter (where f.cooldown)::int as cooldown,
		       count(*) filter (where f.exhausted)::int as exhausted
		from m
		left join flags f on f.kind = m.kind and f.id = m.id
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
		? sql`left join (${registryAggregates()}) a on a.kind = m.kind and a.id = m.id`
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
