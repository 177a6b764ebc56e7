/**
 * valibot schemas for the Sonarr v3/v4 resources we read (only the fields we use).
 * Source: `sonarr/openapi.json` SeriesResource, SeasonResource, SeasonStatisticsResource,
 * EpisodeResource, EpisodeFileResource. Optional fields may be absent: the apps omit nulls.
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

export const SeasonStatisticsSchema = v.looseObject({
	nextAiring: optionalDate,
	previousAiring: optionalDate,
	episodeFileCount: v.optional(v.number(), 0),
	episodeCount: v.optional(v.number(), 0),
	totalEpisodeCount: v.optional(v.number(), 0),
	sizeOnDisk: v.optional(v.number(), 0)
});

export const SeasonSchema = v.looseObject({
	seasonNumber: v.pipe(v.number(), v.integer(), v.minValue(0)),
	monitored: v.boolean(),
	statistics: v.optional(v.nullable(SeasonStatisticsSchema), null)
});

export const SeriesSchema = v.looseObject({
	id,
	title: v.string(),
	sortTitle: optionalString,
	status: optionalString,
	seriesType: optionalString,
	monitored: v.boolean(),
	year: optionalInt,
	tvdbId: optionalInt,
	imdbId: optionalString,
	tmdbId: optionalInt,
	qualityProfileId: optionalInt,
	tags: v.optional(v.array(v.pipe(v.number(), v.integer())), []),
	added: optionalDate,
	seasons: v.optional(v.array(SeasonSchema), [])
});
export type SonarrSeries = v.InferOutput<typeof SeriesSchema>;

export const EpisodeSchema = v.looseObject({
	id,
	seriesId: id,
	seasonNumber: v.pipe(v.number(), v.integer(), v.minValue(0)),
	episodeNumber: optionalInt,
	title: optionalString,
	airDateUtc: optionalDate,
	runtime: v.optional(v.nullable(v.number()), 0),
	monitored: v.boolean(),
	hasFile: v.optional(v.boolean(), false),
	episodeFileId: optionalInt,
	/** Sonarr ≥ 4.0.9.2332 only. */
	lastSearchTime: optionalDate
});
export type SonarrEpisode = v.InferOutput<typeof EpisodeSchema>;

export const EpisodeFileSchema = v.looseObject({
	id,
	quality: QualityModelSchema,
	customFormatScore,
	qualityCutoffNotMet: v.optional(v.boolean(), false)
});
export type SonarrEpisodeFile = v.InferOutput<typeof EpisodeFileSchema>;

/** Just the id of an EpisodeResource (wanted lists). */
export const EpisodeIdSchema = v.looseObject({ id });
