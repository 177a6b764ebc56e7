/**
 * The content browser's query (`GET /api/v1/content`, the `/content` page's URL) and its bulk
 * actions (`POST /api/v1/content/bulk`), shared by the routes, the page and the service.
 *
 * Every query parameter arrives as a string; an empty string means "not set", so a GET form that
 * submits its empty fields is a valid query.
 */
import * as v from 'valibot';
import { OVERRIDE_LIMIT } from './items';

/** What a row is: a series (with its episodes) or a movie. */
export const CONTENT_KINDS = ['series', 'movie'] as const;
export type ContentKind = (typeof CONTENT_KINDS)[number];

/**
 * Search-state filters. `missing`: has a gap (a monitored, aired episode / available movie
 * without a file that discovery found); `upgrade`: has an upgrade candidate (cutoff unmet, or a
 * custom format score below the profile's cutoff when the connector counts those);
 * `custom_format`: has an upgrade candidate of a connector that counts custom format scores
 * (`connectors.custom_format_upgrades`) whose score is below its quality profile's cutoff format
 * score; the others: has an item in that search registry state.
 */
export const CONTENT_STATUSES = [
	'all',
	'missing',
	'upgrade',
	'custom_format',
	'queued',
	'searching',
	'cooldown',
	'exhausted'
] as const;
export type ContentStatus = (typeof CONTENT_STATUSES)[number];

/** Sortable columns. `relevance` (best title match first) only means something with `q`. */
export const CONTENT_SORTS = [
	'relevance',
	'title',
	'year',
	'connector',
	'added',
	'wanted',
	'last_searched'
] as const;
export type ContentSort = (typeof CONTENT_SORTS)[number];

export const CONTENT_PAGE_SIZES = [25, 50, 100] as const;
export const DEFAULT_CONTENT_PAGE_SIZE = 50;

/** Longest title search (characters). */
export const MAX_CONTENT_QUERY = 200;

/** Most items one bulk action may name explicitly (larger sets go by filter). */
export const MAX_BULK_ITEMS = 1_000;

const unset = (value: unknown) => value === undefined || value === '';

/** An optional positive id given as a string; '' is "not set". */
const optionalId = (name: string) =>
	v.optional(
		v.union(
			[
				v.literal(''),
				v.pipe(
					v.string(),
					v.regex(/^\d{1,10}$/, `${name} must be a positive id`),
					v.transform(Number),
					v.minValue(1, `${name} must be a positive id`),
					v.maxValue(2_147_483_647, `${name} must be a positive id`)
				)
			],
			`${name} must be a positive id`
		)
	);

/** An optional choice among `options`; '' is "not set". */
const optionalPick = <T extends readonly [string, ...string[]]>(name: string, options: T) =>
	v.optional(
		v.union([v.literal(''), v.picklist(options)], `${name} must be one of ${options.join(', ')}`)
	);

/** The filters, as strings (URL query or JSON body `filter`). */
const filterEntries = {
	connectorId: optionalId('connectorId'),
	kind: optionalPick('kind', CONTENT_KINDS),
	status: optionalPick('status', CONTENT_STATUSES),
	/** Our id of a quality profile (`quality_profiles.id`). */
	profileId: optionalId('profileId'),
	/** Our id of a tag (`tags.id`). */
	tagId: optionalId('tagId'),
	monitored: optionalPick('monitored', ['true', 'false'] as const),
	q: v.optional(
		v.pipe(
			v.string('q must be text'),
			v.transform((q) => q.trim()),
			v.maxLength(MAX_CONTENT_QUERY, `q must be at most ${MAX_CONTENT_QUERY} characters`)
		)
	)
};

/** The filters of a content query, normalised: unset ones are undefined. */
export interface ContentFilter {
	connectorId?: number | undefined;
	kind?: ContentKind | undefined;
	status: ContentStatus;
	profileId?: number | undefined;
	tagId?: number | undefined;
	monitored?: boolean | undefined;
	q?: string | undefined;
}

/** A whole query: the filters plus order and page. */
export interface ContentQuery extends ContentFilter {
	sort: ContentSort;
	dir: 'asc' | 'desc';
	/** 1-based. */
	page: number;
	pageSize: number;
}

type RawFilter = v.InferOutput<v.ObjectSchema<typeof filterEntries, undefined>>;

function normaliseFilter(raw: RawFilter): ContentFilter {
	const pick = <T>(value: T | '' | undefined): T | undefined =>
		unset(value) ? undefined : (value as T);
	const q = pick(raw.q);
	return {
		connectorId: pick(raw.connectorId),
		kind: pick(raw.kind),
		status: pick(raw.status) ?? 'all',
		profileId: pick(raw.profileId),
		tagId: pick(raw.tagId),
		monitored: raw.monitored === 'true' ? true : raw.monitored === 'false' ? false : undefined,
		q: q === undefined || q === '' ? undefined : q
	};
}

/** `GET /api/v1/content` and the page: filters, `sort`, `dir`, `page`, `pageSize` (25/50/100). */
export const ContentQuerySchema = v.pipe(
	v.object({
		...filterEntries,
		sort: optionalPick('sort', CONTENT_SORTS),
		dir: optionalPick('dir', ['asc', 'desc'] as const),
		page: v.optional(
			v.union(
				[
					v.literal(''),
					v.pipe(
						v.string(),
						v.regex(/^\d{1,6}$/, 'page must be a positive whole number'),
						v.transform(Number),
						v.minValue(1, 'page must be at least 1')
					)
				],
				'page must be a positive whole number'
			)
		),
		pageSize: v.optional(
			v.union(
				[v.literal(''), v.picklist(CONTENT_PAGE_SIZES.map(String) as ['25', '50', '100'])],
				`pageSize must be one of ${CONTENT_PAGE_SIZES.join(', ')}`
			)
		)
	}),
	v.transform((raw): ContentQuery => {
		const filter = normaliseFilter(raw);
		const sort = unset(raw.sort)
			? filter.q !== undefined
				? 'relevance'
				: 'title'
			: (raw.sort as ContentSort);
		const dir = unset(raw.dir)
			? sort === 'title' || sort === 'connector' || sort === 'relevance'
				? 'asc'
				: 'desc'
			: (raw.dir as 'asc' | 'desc');
		return {
			...filter,
			sort: sort === 'relevance' && filter.q === undefined ? 'title' : sort,
			dir,
			page: unset(raw.page) ? 1 : (raw.page as number),
			pageSize: unset(raw.pageSize) ? DEFAULT_CONTENT_PAGE_SIZE : Number(raw.pageSize)
		};
	})
);

/** The filters alone (a bulk action "on everything matching"). */
export const ContentFilterSchema = v.pipe(v.object(filterEntries), v.transform(normaliseFilter));

export const BULK_ACTIONS = ['search', 'priority', 'exhaust', 'clear'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** One row named by a bulk action. */
export interface ContentRef {
	kind: ContentKind;
	id: number;
}

const refSchema = v.strictObject({
	kind: v.picklist(CONTENT_KINDS, `each item's kind must be one of ${CONTENT_KINDS.join(', ')}`),
	id: v.pipe(
		v.number("each item's id must be a number"),
		v.integer("each item's id must be an integer"),
		v.minValue(1, "each item's id must be a positive id"),
		v.maxValue(2_147_483_647, "each item's id must be a positive id")
	)
});

/**
 * `POST /api/v1/content/bulk`: `{ action, items }` (up to MAX_BULK_ITEMS rows) or
 * `{ action, filter }` (every row matching it); `delta` (points, −OVERRIDE_LIMIT..OVERRIDE_LIMIT;
 * 0 clears the override) for `priority`.
 */
export const BulkActionSchema = v.pipe(
	v.strictObject({
		action: v.picklist(BULK_ACTIONS, `action must be one of ${BULK_ACTIONS.join(', ')}`),
		items: v.optional(
			v.pipe(
				v.array(refSchema, 'items must be an array of { kind, id }'),
				v.minLength(1, 'items must name at least one series or movie'),
				v.maxLength(
					MAX_BULK_ITEMS,
					`items may name at most ${MAX_BULK_ITEMS} rows; act on the filter instead`
				)
			)
		),
		filter: v.optional(ContentFilterSchema),
		delta: v.optional(
			v.pipe(
				v.number('delta must be a number'),
				v.integer('delta must be a whole number of points'),
				v.minValue(-OVERRIDE_LIMIT, `delta must be at least −${OVERRIDE_LIMIT}`),
				v.maxValue(OVERRIDE_LIMIT, `delta must be at most ${OVERRIDE_LIMIT}`)
			)
		)
	}),
	v.forward(
		v.check(
			(input) => (input.items === undefined) !== (input.filter === undefined),
			'name either items or a filter (not both)'
		),
		['items']
	),
	v.forward(
		v.check(
			(input) => input.action !== 'priority' || input.delta !== undefined,
			'delta is required to adjust the priority (0 clears it)'
		),
		['delta']
	),
	v.forward(
		v.check(
			(input) => input.action === 'priority' || input.delta === undefined,
			'delta only goes with the priority action'
		),
		['delta']
	)
);
export type BulkActionInput = v.InferOutput<typeof BulkActionSchema>;
