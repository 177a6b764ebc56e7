/**
 * The content browser's wire shapes (`GET /api/v1/content`, the `/content` page), shared by the
 * server (services/content/content-browser.ts) and the page. Dates are ISO 8601 strings.
 */
import type { ConnectorType } from '../connector-types';
import type { ContentKind, ContentStatus } from '../schemas/content';

/** Search-state numbers of one row: its wanted items (episodes or the movie) by kind and state. */
export interface ContentSearchSummary {
	gaps: number;
	upgrades: number;
	queued: number;
	searching: number;
	cooldown: number;
	exhausted: number;
	/** Latest time Comradarr searched one of its items (ISO 8601), null if never. */
	lastSearchedAt: string | null;
	/** Earliest time an item in cooldown may be searched again (ISO 8601), null without one. */
	nextEligibleAt: string | null;
}

/** One row of the content browser. */
export interface ContentRow {
	kind: ContentKind;
	/** Our id (`series.id` / `movies.id`): the page is `/series/{id}` or `/movies/{id}`. */
	id: number;
	connector: { id: number; name: string; type: ConnectorType };
	title: string;
	year: number | null;
	monitored: boolean;
	/** The app's status (`continuing`, `ended`, `released`…), null when unknown. */
	status: string | null;
	qualityProfile: string | null;
	/** Tag labels, in the app's order. */
	tags: string[];
	/** Movies: the file's quality name; series: null (episodes differ). */
	quality: string | null;
	/** Movies: the file's custom format score; series: null. */
	customFormatScore: number | null;
	/** Series: episodes with a file / episodes (monitored and aired, the app's season statistics); movies: 1 or 0 of 1. */
	files: { have: number; total: number };
	search: ContentSearchSummary;
	added: string | null;
}

export type ContentCounts = Record<ContentStatus, number>;

export interface ContentPage {
	items: ContentRow[];
	page: number;
	pageSize: number;
	/** Rows matching the query (every page). */
	total: number;
	/** Rows each status filter would show, with the other filters as they are. */
	counts: ContentCounts;
}

/** The choices of the filter form. */
export interface ContentFilterOptions {
	connectors: { id: number; name: string; type: ConnectorType }[];
	qualityProfiles: { id: number; name: string; connectorId: number; connectorName: string }[];
	tags: { id: number; label: string; connectorId: number; connectorName: string }[];
}
