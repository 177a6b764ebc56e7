/**
 * Normalised domain shapes the connectors hand to the services, independent of the app and its
 * version. Times are `Date` (UTC), absent values `null`.
 */

/** `GET /api/v3/system/status` (SystemResource: appName, version, instanceName, urlBase). */
export interface SystemStatus {
	appName: string;
	version: string;
	instanceName: string | null;
	urlBase: string | null;
}

/** `GET /api/v3/health` (HealthResource). `type` is ok | notice | warning | error. */
export interface HealthItem {
	source: string | null;
	type: string;
	message: string;
	wikiUrl: string | null;
}

/** CommandResource fields we track. `status`: queued|started|completed|failed|aborted|cancelled|orphaned. */
export interface ArrCommand {
	id: number;
	name: string;
	status: string;
	/** e.g. "Completed", "3 reports downloaded". */
	message: string | null;
	queued: Date | null;
	started: Date | null;
	ended: Date | null;
	/** The command body's own properties (episodeIds, seriesId, seasonNumber, movieIds). */
	body: Record<string, unknown>;
}

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

/**
 * One HistoryResource of `GET /api/v3/history/since` (Sonarr: EpisodeHistoryEventType with
 * `seriesId`/`episodeId`; Radarr: MovieHistoryEventType with `movieId`).
 */
export interface HistoryRecord {
	eventType: string;
	date: Date;
	arrSeriesId: number | null;
	arrEpisodeId: number | null;
	arrMovieId: number | null;
}

/** A list read from an *arr app: the items that parsed and how many were skipped as malformed. */
export interface Parsed<T> {
	items: T[];
	skipped: number;
	/** Ids of skipped items that had a readable `id` (sync keeps them in the mirror). */
	skippedIds: number[];
}

/** The body POSTed to `/api/v3/command` for the three searches we ever send (DESIGN.md decision 4). */
export type SearchCommand =
	| { name: 'EpisodeSearch'; episodeIds: number[] }
	| { name: 'SeasonSearch'; seriesId: number; seasonNumber: number }
	| { name: 'MoviesSearch'; movieIds: number[] };
