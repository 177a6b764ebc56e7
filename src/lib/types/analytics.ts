/**
 * What the analytics view shows (`GET /api/v1/analytics`, the `/analytics` page), read from the
 * daily roll-ups (`analytics_daily`), the search history and registry, and the mirror. Shared by
 * the server and the page's components.
 */

/** One local day of the roll-ups, summed over the selected connectors. */
export interface AnalyticsDayPoint {
	/** Local calendar day, `YYYY-MM-DD` (Settings → General time zone). */
	day: string;
	gapsFound: number;
	upgradesFound: number;
	searchesSent: number;
	itemsSearched: number;
	grabs: number;
	searchesFinished: number;
	/** grabs / searchesFinished, 0..1; null when nothing finished. */
	successRate: number | null;
	acquisitions: number;
	upgrades: number;
	exhausted: number;
	/** Request-queue commands waiting at the day's last snapshot; null when never snapshotted. */
	queueDepth: number | null;
	gapsOpen: number | null;
	/** itemsComplete / itemsTotal in percent (0..100); null when never snapshotted. */
	completion: number | null;
}

/** One connector over the whole range. */
export interface AnalyticsConnectorRow {
	connectorId: number;
	name: string;
	type: string;
	searchesSent: number;
	searchesFinished: number;
	grabs: number;
	/** 0..1, null when nothing finished. */
	successRate: number | null;
	arrRequests: number;
	arrErrors: number;
	/** arrErrors / arrRequests, 0..1; null without requests. */
	errorRate: number | null;
	/** Mean *arr response time over every request of the range, ms; null without requests. */
	responseMsAvg: number | null;
}

/** An item (command label) searched often within the range (search history). */
export interface MostSearchedRow {
	connectorId: number;
	connectorName: string;
	label: string;
	searches: number;
	/** Commands whose message named at least one grab. */
	grabs: number;
	/** ISO time of the last search in the range. */
	lastSearchedAt: string;
}

/** An item still wanted after the most searches (search registry, any time). */
export interface HardestRow {
	connectorId: number;
	connectorName: string;
	/** `Show — S01E02 Title` or `Movie (2001)`. */
	label: string;
	searchType: 'gap' | 'upgrade';
	attempts: number;
	state: string;
	lastSearchedAt: string | null;
	/** Link to the item's page. */
	href: string;
}

/** Files of one quality in the mirror. */
export interface QualityRow {
	quality: string;
	episodeFiles: number;
	movieFiles: number;
}

export interface AnalyticsView {
	from: string;
	to: string;
	connectorId: number | null;
	timeZone: string;
	/** Whether any roll-up exists at all (else the page shows its empty state). */
	hasRollups: boolean;
	series: AnalyticsDayPoint[];
	connectors: AnalyticsConnectorRow[];
	mostSearched: MostSearchedRow[];
	hardestToFind: HardestRow[];
	quality: QualityRow[];
	/** The connectors to filter by. */
	connectorOptions: { id: number; name: string }[];
}

/** The CSV exports (`GET /api/v1/analytics/export?table=`): one per chart or table shown. */
export const ANALYTICS_EXPORTS = [
	'daily',
	'gap-discovery',
	'search-volume',
	'queue-depth',
	'completion',
	'connectors',
	'most-searched',
	'hardest-to-find',
	'quality'
] as const;
export type AnalyticsExport = (typeof ANALYTICS_EXPORTS)[number];
