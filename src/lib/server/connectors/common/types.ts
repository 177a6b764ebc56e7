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

/**
 * `GET /api/v3/queue/status` (QueueStatusResource, same in Sonarr, Radarr and both Whisparr specs):
 * `totalCount` is every item in the app's download queue, unknown items included; `count` leaves
 * out items the app could not match to a series/movie (`unknownCount`).
 */
export interface QueueStatus {
	totalCount: number;
	count: number;
	unknownCount: number;
}

// The mirror rows the mappers produce are declared beside the writes that take them (db sits
// beside connectors, not above them); re-exported here for the clients and mappers.
export type {
	MirrorEpisode,
	MirrorMovie,
	MirrorQualityProfile,
	MirrorSeason,
	MirrorSeries,
	MirrorTag
} from '../../db/mirror';

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
