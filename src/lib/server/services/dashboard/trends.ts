/**
 * 30-day trends per connector from the daily roll-ups (`analytics_daily`, written by the
 * `analytics.rollup` job): completion % (itemsComplete / itemsTotal) and search success rate
 * (grabs / searchesFinished). One indexed range read of the primary key (connector, day); with
 * no roll-ups yet every connector simply has no points.
 */
import { and, asc, gte, lte } from 'drizzle-orm';
import type { DbOrTx } from '../../db';
import { analyticsDaily } from '../../db/schema';
import { addDays, localDay } from '../../time/calendar-day';
import type { ConnectorTrend, TrendPoint } from '../../../types/dashboard';

/** Days a trend covers, today included. */
export const TREND_DAYS = 30;

/**
 * The last `days` local days (today in `timeZone` included) of every connector's roll-ups,
 * keyed by connector id; a connector without roll-ups is absent.
 */
export async function connectorTrends(
	db: DbOrTx,
	options: { now: Date; timeZone: string; days?: number }
): Promise<Map<number, ConnectorTrend>> {
	const last = localDay(options.now, options.timeZone);
	const first = addDays(last, 1 - (options.days ?? TREND_DAYS));
	const rows = await db
		.select({
			connectorId: analyticsDaily.connectorId,
			day: analyticsDaily.day,
			itemsTotal: analyticsDaily.itemsTotal,
			itemsComplete: analyticsDaily.itemsComplete,
			grabs: analyticsDaily.grabs,
			searchesFinished: analyticsDaily.searchesFinished
		})
		.from(analyticsDaily)
		.where(and(gte(analyticsDaily.day, first), lte(analyticsDaily.day, last)))
		.orderBy(asc(analyticsDaily.connectorId), asc(analyticsDaily.day));
	const out = new Map<number, ConnectorTrend>();
	for (const r of rows) {
		let trend = out.get(r.connectorId);
		if (!trend) {
			trend = {
				connectorId: r.connectorId,
				points: [],
				successRate: null,
				grabs: 0,
				searchesFinished: 0
			};
			out.set(r.connectorId, trend);
		}
		const point: TrendPoint = {
			day: r.day,
			completion: r.itemsTotal > 0 ? Math.min(1, r.itemsComplete / r.itemsTotal) : null,
			successRate: r.searchesFinished > 0 ? Math.min(1, r.grabs / r.searchesFinished) : null,
			grabs: r.grabs,
			searchesFinished: r.searchesFinished
		};
		trend.points.push(point);
		trend.grabs += r.grabs;
		trend.searchesFinished += r.searchesFinished;
	}
	for (const trend of out.values()) {
		trend.successRate =
			trend.searchesFinished > 0 ? Math.min(1, trend.grabs / trend.searchesFinished) : null;
	}
	return out;
}
