/**
 * valibot schemas for Whisparr's resources where they differ from Sonarr's and Radarr's.
 *
 * - Whisparr v2 (`whisparr-v2/openapi.json`, Sonarr-based; series = sites, episodes = scenes):
 *   EpisodeResource has no `episodeNumber`, no `airDate`/`airDateUtc`, no `lastSearchTime`; it has
 *   `releaseDate`, typed DateOnly in the spec but a `"yyyy-MM-dd"` string on the wire.
 * - Whisparr v3 "Eros" (`whisparr-v3/openapi.json`, Radarr-based): MovieResource adds `itemType`
 *   (`movie` | `scene`).
 */
import * as v from 'valibot';
import { id, optionalInt, optionalString } from '../common/schemas';
import { MovieSchema } from '../radarr/types';

/** `"yyyy-MM-dd"` → midnight UTC of that day. */
const releaseDay = v.optional(
	v.nullable(
		v.pipe(
			v.string(),
			v.regex(/^\d{4}-\d{2}-\d{2}/, 'expected yyyy-MM-dd'),
			v.transform((s) => new Date(`${s.slice(0, 10)}T00:00:00Z`)),
			v.check((d) => !Number.isNaN(d.getTime()), 'invalid date')
		)
	),
	null
);

export const SceneEpisodeSchema = v.looseObject({
	id,
	seriesId: id,
	seasonNumber: v.pipe(v.number(), v.integer(), v.minValue(0)),
	title: optionalString,
	releaseDate: releaseDay,
	runtime: v.optional(v.nullable(v.number()), 0),
	monitored: v.boolean(),
	hasFile: v.optional(v.boolean(), false),
	episodeFileId: optionalInt
});
export type WhisparrScene = v.InferOutput<typeof SceneEpisodeSchema>;

/**
 * Radarr's movie fields minus those Whisparr v3's MovieResource does not have (movieFileId,
 * minimumAvailability, inCinemas, digitalRelease, physicalRelease), plus `itemType`.
 */
const {
	movieFileId: _movieFileId,
	minimumAvailability: _minimumAvailability,
	inCinemas: _inCinemas,
	digitalRelease: _digitalRelease,
	physicalRelease: _physicalRelease,
	...whisparrMovieEntries
} = MovieSchema.entries;

export const WhisparrMovieSchema = v.looseObject({
	...whisparrMovieEntries,
	itemType: optionalString
});
export type WhisparrMovie = v.InferOutput<typeof WhisparrMovieSchema>;
