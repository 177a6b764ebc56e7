/**
 * The rows of the content mirror as the connectors' mappers produce them from the *arr resources
 * (SeriesResource with SeasonStatisticsResource, EpisodeResource joined with
 * EpisodeFileResource, MovieResource with its `movieFile`, QualityProfileResource, TagResource)
 * and the writes of db/queries/content.ts take them. Dates are `Date`s, sizes bytes.
 */

export interface MirrorSeason {
	seasonNumber: number;
	monitored: boolean;
	episodeFileCount: number;
	episodeCount: number;
	totalEpisodeCount: number;
	nextAiring: Date | null;
	previousAiring: Date | null;
	/** Bytes (SeasonStatisticsResource.sizeOnDisk). */
	sizeOnDisk: number;
}

export interface MirrorSeries {
	arrId: number;
	title: string;
	sortTitle: string | null;
	status: string | null;
	seriesType: string | null;
	monitored: boolean;
	year: number | null;
	tvdbId: number | null;
	imdbId: string | null;
	tmdbId: number | null;
	qualityProfileId: number | null;
	/** TagResource ids. */
	tags: number[];
	added: Date | null;
	seasons: MirrorSeason[];
}

export interface MirrorEpisode {
	arrId: number;
	arrSeriesId: number;
	seasonNumber: number;
	episodeNumber: number | null;
	title: string | null;
	airDateUtc: Date | null;
	/** Minutes. */
	runtime: number;
	monitored: boolean;
	hasFile: boolean;
	episodeFileId: number | null;
	quality: string | null;
	qualityCutoffNotMet: boolean;
	/** EpisodeFileResource.customFormatScore; null without a file. */
	customFormatScore: number | null;
	lastSearchTime: Date | null;
}

export interface MirrorMovie {
	arrId: number;
	title: string;
	sortTitle: string | null;
	year: number | null;
	status: string | null;
	monitored: boolean;
	hasFile: boolean;
	movieFileId: number | null;
	quality: string | null;
	qualityCutoffNotMet: boolean;
	/** MovieFileResource.customFormatScore; null without a file. */
	customFormatScore: number | null;
	qualityProfileId: number | null;
	/** TagResource ids. */
	tags: number[];
	minimumAvailability: string | null;
	isAvailable: boolean;
	tmdbId: number | null;
	imdbId: string | null;
	/** Whisparr v3 only: `movie` or `scene`; null elsewhere. */
	itemType: string | null;
	releaseDate: Date | null;
	lastSearchTime: Date | null;
	added: Date | null;
}

/** QualityProfileResource: what decides whether a file is an upgrade candidate. */
export interface MirrorQualityProfile {
	arrId: number;
	name: string;
	upgradeAllowed: boolean;
	/** A quality id or quality group id. */
	cutoff: number;
	cutoffFormatScore: number;
	minFormatScore: number;
}

/** TagResource. */
export interface MirrorTag {
	arrId: number;
	label: string;
}
