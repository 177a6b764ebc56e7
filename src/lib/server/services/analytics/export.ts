/**
 * CSV exports of the analytics view (`GET /api/v1/analytics/export?table=`): one per chart and
 * table the page shows, with the same rows and a header row. Fields are escaped as RFC 4180 and
 * guarded against spreadsheet formulas (history-service.ts `csvField`).
 */
import type { DbOrTx } from '../../db';
import type { AnalyticsDayPoint, AnalyticsExport } from '../../../types/analytics';
import type { AnalyticsQueryInput } from '../../../schemas/analytics';
import { csvField } from '../history/history-service';
import {
	connectorComparison,
	dailySeries,
	hardestToFind,
	mostSearched,
	qualityDistribution,
	resolveAnalyticsQuery
} from './read-model';

type Cell = string | number | null;

/** The columns of each per-day export: header → value of a day. */
const DAILY_COLUMNS: Record<string, (d: AnalyticsDayPoint) => Cell> = {
	day: (d) => d.day,
	gaps_found: (d) => d.gapsFound,
	upgrades_found: (d) => d.upgradesFound,
	searches_sent: (d) => d.searchesSent,
	items_searched: (d) => d.itemsSearched,
	searches_finished: (d) => d.searchesFinished,
	grabs: (d) => d.grabs,
	success_rate: (d) => d.successRate,
	acquisitions: (d) => d.acquisitions,
	upgrades: (d) => d.upgrades,
	exhausted: (d) => d.exhausted,
	queue_depth: (d) => d.queueDepth,
	gaps_open: (d) => d.gapsOpen,
	completion_percent: (d) => d.completion
};

/** Which per-day columns each chart's export carries. */
const SERIES_EXPORTS: Partial<Record<AnalyticsExport, (keyof typeof DAILY_COLUMNS)[]>> = {
	daily: Object.keys(DAILY_COLUMNS),
	'gap-discovery': ['day', 'gaps_found', 'upgrades_found'],
	'search-volume': [
		'day',
		'searches_sent',
		'items_searched',
		'searches_finished',
		'grabs',
		'success_rate'
	],
	'queue-depth': ['day', 'queue_depth', 'gaps_open'],
	completion: ['day', 'completion_percent', 'acquisitions', 'upgrades']
};

/** Rows as CSV text: the header row, then one CRLF-terminated line per row. */
export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
	const line = (cells: readonly Cell[]) => `${cells.map((c) => csvField(c)).join(',')}\r\n`;
	return line(header) + rows.map(line).join('');
}

export interface AnalyticsCsv {
	/** `comradarr-analytics-<table>-<from>-to-<to>.csv` */
	filename: string;
	body: string;
}

/**
 * The CSV of one export for `query` (the same range rules as the view).
 * @param deps.clock decides "today" for the default range
 */
export async function analyticsCsv(
	deps: { db: DbOrTx; clock: () => Date },
	query: AnalyticsQueryInput,
	table: AnalyticsExport
): Promise<AnalyticsCsv> {
	const { db } = deps;
	const { timeZone, range } = await resolveAnalyticsQuery(deps, query);
	const filename = `comradarr-analytics-${table}-${range.from}-to-${range.to}.csv`;
	const columns = SERIES_EXPORTS[table];
	if (columns) {
		const days = await dailySeries(db, range);
		const body = toCsv(
			columns,
			days.map((d) => columns.map((c) => DAILY_COLUMNS[c]!(d)))
		);
		return { filename, body };
	}
	switch (table) {
		case 'connectors': {
			const rows = await connectorComparison(db, range);
			return {
				filename,
				body: toCsv(
					[
						'connector_id',
						'connector',
						'type',
						'searches_sent',
						'searches_finished',
						'grabs',
						'success_rate',
						'arr_requests',
						'arr_errors',
						'error_rate',
						'response_ms_avg'
					],
					rows.map((r) => [
						r.connectorId,
						r.name,
						r.type,
						r.searchesSent,
						r.searchesFinished,
						r.grabs,
						r.successRate,
						r.arrRequests,
						r.arrErrors,
						r.errorRate,
						r.responseMsAvg
					])
				)
			};
		}
		case 'most-searched': {
			const rows = await mostSearched(db, range, timeZone);
			return {
				filename,
				body: toCsv(
					['connector', 'item', 'searches', 'grabs', 'last_searched_at'],
					rows.map((r) => [r.connectorName, r.label, r.searches, r.grabs, r.lastSearchedAt])
				)
			};
		}
		case 'hardest-to-find': {
			const rows = await hardestToFind(db, range);
			return {
				filename,
				body: toCsv(
					['connector', 'item', 'search_type', 'attempts', 'state', 'last_searched_at'],
					rows.map((r) => [
						r.connectorName,
						r.label,
						r.searchType,
						r.attempts,
						r.state,
						r.lastSearchedAt
					])
				)
			};
		}
		case 'quality': {
			const rows = await qualityDistribution(db, range);
			return {
				filename,
				body: toCsv(
					['quality', 'episode_files', 'movie_files'],
					rows.map((r) => [r.quality, r.episodeFiles, r.movieFiles])
				)
			};
		}
		default:
			// The per-day exports were answered above.
			return { filename, body: toCsv([], []) };
	}
}
