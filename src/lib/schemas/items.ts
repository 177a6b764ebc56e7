/**
 * Input of the item actions and priority overrides (`/api/v1/series|movies/{id}/…`,
 * `/api/v1/priority-overrides`), shared by the routes and the series / movie pages.
 */
import * as v from 'valibot';

/** Largest boost or demotion (points); equals db/schema/priority.ts `MAX_PRIORITY_OVERRIDE`. */
export const OVERRIDE_LIMIT = 10_000;

/** What an override applies to. */
export const OVERRIDE_TARGETS = ['connector', 'series', 'episode', 'movie'] as const;
export type OverrideTarget = (typeof OVERRIDE_TARGETS)[number];

/** Most episode ids one request may name. */
export const MAX_EPISODE_IDS = 5_000;

const MAX_ID = 2_147_483_647;

const idSchema = (name: string) =>
	v.pipe(
		v.number(`${name} must be a number`),
		v.integer(`${name} must be an integer`),
		v.minValue(1, `${name} must be a positive id`),
		v.maxValue(MAX_ID, `${name} must be at most ${MAX_ID}`)
	);

/** `{ episodeIds? }`: some of a series' episodes (our ids); absent means every wanted episode. */
export const EpisodeSelectionSchema = v.strictObject({
	episodeIds: v.optional(
		v.pipe(
			v.array(idSchema('each episode id'), 'episodeIds must be an array of episode ids'),
			v.minLength(1, 'episodeIds must name at least one episode (or be left out)'),
			v.maxLength(MAX_EPISODE_IDS, `episodeIds may name at most ${MAX_EPISODE_IDS} episodes`)
		)
	)
});

/** A movie action takes no options: no body, or `{}`. */
export const NoOptionsSchema = v.strictObject({});

/** `{ target, id }`: the target of an override (our id of a connector, series, episode or movie). */
export const OverrideKeySchema = v.strictObject({
	target: v.picklist(OVERRIDE_TARGETS, `target must be one of ${OVERRIDE_TARGETS.join(', ')}`),
	id: idSchema('id')
});

/** `{ target, id, delta }`: a non-zero integer number of points, |delta| ≤ OVERRIDE_LIMIT. */
export const OverrideSchema = v.strictObject({
	...OverrideKeySchema.entries,
	delta: v.pipe(
		v.number('delta must be a number'),
		v.integer('delta must be a whole number of points'),
		v.minValue(-OVERRIDE_LIMIT, `delta must be at least −${OVERRIDE_LIMIT}`),
		v.maxValue(OVERRIDE_LIMIT, `delta must be at most ${OVERRIDE_LIMIT}`),
		v.check((d) => d !== 0, 'delta must not be 0: clear the override instead (DELETE)')
	)
});

/** A listing's query: `page` (1-based), `pageSize` 1..500 (default 100), `connectorId?`. */
export const OverrideListQuerySchema = v.strictObject({
	page: v.optional(
		v.pipe(
			v.string(),
			v.regex(/^\d{1,6}$/, 'page must be a positive whole number'),
			v.transform(Number),
			v.minValue(1, 'page must be at least 1')
		),
		'1'
	),
	pageSize: v.optional(
		v.pipe(
			v.string(),
			v.regex(/^\d{1,4}$/, 'pageSize must be a whole number from 1 to 500'),
			v.transform(Number),
			v.minValue(1, 'pageSize must be at least 1'),
			v.maxValue(500, 'pageSize must be at most 500')
		),
		'100'
	),
	connectorId: v.optional(
		v.pipe(
			v.string(),
			v.regex(/^\d{1,10}$/, 'connectorId must be a positive id'),
			v.transform(Number),
			v.minValue(1, 'connectorId must be a positive id')
		)
	)
});

/** The series / movie listing's query: the same parameters as the overrides listing. */
export const ItemListQuerySchema = OverrideListQuerySchema;
