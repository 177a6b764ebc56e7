/**
 * The dashboard's read model (issue 11 §7, §9): per-connector completion now and its 30-day
 * trend, search success rate, the activity feed, upcoming sweeps and running jobs. Every part is
 * a cheap read — season statistics and movie flags, the roll-up table's key range, the event
 * stream's primary key, the job runs' status index — never a scan of the episodes.
 */
import type { DbOrTx } from '../../db';
import type {
	CompletionView,
	ConnectorTrend,
	FeedPage,
	RunningJob,
	UpcomingSweep
} from '../../../types/dashboard';
import { libraryCompletion } from './completion';
import { activityFeed } from './feed';
import { connectorTrends } from './trends';
import { liveJobs, upcomingSweeps } from './upcoming';

export { libraryCompletion } from './completion';
export { activityFeed, FEED_PAGE, FEED_PAGE_MAX, FEED_TYPES } from './feed';
export { connectorTrends, TREND_DAYS } from './trends';
export { liveJobs, runningJobTitle, upcomingSweeps } from './upcoming';

export interface DashboardOverview {
	/** By connector id; a connector with nothing monitored is absent. */
	completion: Record<number, CompletionView>;
	/** By connector id; a connector without roll-ups is absent. */
	trends: Record<number, ConnectorTrend>;
	/** Over every connector's last 30 days: grabs / finished searches, null without any. */
	successRate: { rate: number | null; grabs: number; searchesFinished: number };
	feed: FeedPage;
	upcoming: UpcomingSweep[];
	running: RunningJob[];
}

/**
 * Everything the dashboard shows beyond the connector numbers (api/v1 `toResources`).
 * @param options.timeZone the General time zone: which local days the trends cover
 */
export async function dashboardOverview(
	db: DbOrTx,
	options: { now: Date; timeZone: string }
): Promise<DashboardOverview> {
	const [completion, trends, feed, upcoming, running] = await Promise.all([
		libraryCompletion(db),
		connectorTrends(db, options),
		activityFeed(db),
		upcomingSweeps(db, options.now),
		liveJobs(db)
	]);
	let grabs = 0;
	let searchesFinished = 0;
	for (const t of trends.values()) {
		grabs += t.grabs;
		searchesFinished += t.searchesFinished;
	}
	return {
		completion: Object.fromEntries(completion),
		trends: Object.fromEntries(trends),
		successRate: {
			rate: searchesFinished > 0 ? Math.min(1, grabs / searchesFinished) : null,
			grabs,
			searchesFinished
		},
		feed,
		upcoming,
		running
	};
}
