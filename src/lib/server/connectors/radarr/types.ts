/**
 * valibot schemas for the Radarr v4–v6 resources we read (only the fields we use).
 * Source: `radarr/openapi.json` MovieResource (with embedded `movieFile`: MovieFileResource).
 */
import * as v from 'valibot';
import {
	QualityModelSchema,
	customFormatScore,
	id,
	optionalDate,
	optionalInt,
	optionalString
} from '../common/schemas';

export const MovieFileSchema = v.looseObject({
	id,
	quality: QualityModelSchema,
	customFormatScore,
	qualityCutoffNotMet: v.optional(v.boolean(), false)
});

export const MovieSchema = v.looseObject({
	id,
	title: v.string(),
	sortTitle: optionalString,
	year: optionalInt,
	status: optionalString,
	monitored: v.boolean(),
	qualityProfileId: optionalInt,
	tags: v.optional(v.array(v.pipe(v.number(), v.integer())), []),
	hasFile: v.optional(v.nullable(v.boolean()), false),
	movieFileId: optionalInt,
	minimumAvailability: optionalString,
	isAvailable: v.optional(v.boolean(), false),
	tmdbId: optionalInt,
	imdbId: optionalString,
	inCinemas: optionalDate,
	digitalRelease: optionalDate,
	physicalRelease: optionalDate,
	releaseDate: optionalDate,
	added: optionalDate,
	/** Radarr ≥ 5.10.3.9178 only. */
	lastSearchTime: optionalDate,
	movieFile: v.optional(v.nullable(MovieFileSchema), null)
});
export type RadarrMovie = v.InferOutput<typeof MovieSchema>;
