/**
 * Domain events: the record of what happened (an item acquired, a search exhausted, a connector
 * going unhealthy), appended to the `events` table in the same transaction as the change it
 * reports. Notifications and analytics read only this table.
 *
 * `subject` names what the event is about with our ids (`series.id`, `episodes.id`, `movies.id`)
 * and the app's ids (`arr*`), so a reader never has to join a row that may be gone.
 */

export const EVENT_TYPES = [
	'sync.completed',
	'sync.failed',
	'item.acquired',
	'item.upgraded',
	'item.removed',
	'sweep.completed',
	'search.sent',
	'search.completed',
	'search.exhausted',
	'connector.health_changed',
	'app.started',
	'maintenance.completed',
	/** N failures of one kind within a window (notifications/router.ts). */
	'errors.threshold_exceeded'
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** What an event is about; every field optional, ids are ours unless prefixed `arr`. */
export interface EventSubject {
	seriesId?: number;
	seasonNumber?: number;
	episodeIds?: number[];
	movieId?: number;
	movieIds?: number[];
	arrSeriesId?: number;
	arrEpisodeIds?: number[];
	arrMovieId?: number;
	arrMovieIds?: number[];
	/** Our id of a request-queue command (`request_queue.id`). */
	commandId?: number;
	/** The job run that did the work (`job_runs.id`). */
	runId?: number;
}

/** One event to append. `payload` carries the event's own facts (counts, titles, qualities). */
export interface NewEvent {
	type: EventType;
	connectorId: number | null;
	subject?: EventSubject;
	payload?: Record<string, unknown>;
	/** Defaults to the database's now(). */
	createdAt?: Date;
}
