/**
 * The dashboard's wire shapes (services/dashboard → the dashboard page and `GET /api/v1/events`),
 * shared with the components that draw them. Times are ISO 8601 strings, days `YYYY-MM-DD` in the
 * General time zone.
 */
import type { EventType } from './events';
import type { JobRunView } from './jobs';

/** How complete one connector's library is now: monitored items with a file of all monitored. */
export interface CompletionView {
	connectorId: number;
	/** Monitored items that have a file (episodes for a series library, else movies). */
	complete: number;
	/** Monitored items (for series: aired or with a file, as Sonarr counts them). */
	total: number;
	/** complete / total in 0–1; null when nothing is monitored. */
	ratio: number | null;
	/** What is counted: `episodes` or `movies`. */
	unit: 'episodes' | 'movies';
}

/** One day of a connector's roll-up (analytics_daily), as the sparklines draw it. */
export interface TrendPoint {
	day: string;
	/** itemsComplete / itemsTotal in 0–1; null when nothing was monitored that day. */
	completion: number | null;
	/** grabs / searchesFinished in 0–1; null on a day without finished searches. */
	successRate: number | null;
	grabs: number;
	searchesFinished: number;
}

/** A connector's last 30 days (only the days that were rolled up, oldest first). */
export interface ConnectorTrend {
	connectorId: number;
	points: TrendPoint[];
	/** Sum of grabs / sum of finished searches over the window; null without finished searches. */
	successRate: number | null;
	grabs: number;
	searchesFinished: number;
}

/** Which group of the feed an event belongs to (its icon and filter). */
export type FeedCategory = 'discovery' | 'search' | 'acquisition' | 'health' | 'system';

/** Pages a feed entry links to: the item's, the connector's, or the page that tells more. */
export type FeedHref =
	| `/series/${number}`
	| `/movies/${number}`
	| `/connectors/${number}`
	| '/queue'
	| '/history'
	| '/settings/database';

/** One line of the activity feed. */
export interface FeedEntry {
	/** `events.id`: the cursor of "show more". */
	id: number;
	type: EventType;
	category: FeedCategory;
	/** A sentence for people ("Acquired The Expanse S01E02 on Sonarr (HDTV-720p)."). */
	text: string;
	/** The item's page (`/series/{id}`, `/movies/{id}`) or another page of the app; null = none. */
	href: FeedHref | null;
	/** Whether the sentence reports something that went wrong (a failed sync, a lost connector). */
	problem: boolean;
	connectorId: number | null;
	createdAt: string;
}

/** A page of the feed, newest first; `nextBefore` is the cursor of the next (older) page. */
export interface FeedPage {
	entries: FeedEntry[];
	nextBefore: number | null;
}

/** A sweep schedule's next run. */
export interface UpcomingSweep {
	scheduleId: number;
	connectorId: number;
	connectorName: string;
	sweepType: string;
	/** The cron in words ("At 5 minutes past the hour"). */
	description: string;
	nextRunAt: string;
}

/** A job run that is queued or running now, with a label for people. */
export interface RunningJob {
	label: string;
	run: JobRunView;
}
