/**
 * Pure formatting for the Queue and History pages: page links, a batch's score breakdown, the
 * estimated dispatch time and pauses, in words.
 */
import type { BatchScore } from '$lib/types/search-score';
import { formatRelativeTime } from '$lib/utils';

/** Total pages for `total` rows at `pageSize` per page (at least 1). */
export function pageCount(total: number, pageSize: number): number {
	return Math.max(1, Math.ceil(total / Math.max(1, pageSize)));
}

/**
 * The page numbers to link, with `'gap'` for elided runs: always the first and last page and
 * `around` pages on either side of `page`. E.g. page 6 of 20 → 1 … 4 5 6 7 8 … 20.
 */
export function pageWindow(page: number, pages: number, around = 2): (number | 'gap')[] {
	const shown = new Set<number>([1, pages]);
	for (let p = page - around; p <= page + around; p++) if (p >= 1 && p <= pages) shown.add(p);
	const sorted = [...shown].sort((a, b) => a - b);
	const out: (number | 'gap')[] = [];
	for (const p of sorted) {
		const prev = out[out.length - 1];
		if (typeof prev === 'number' && p - prev === 2) out.push(prev + 1);
		else if (typeof prev === 'number' && p - prev > 2) out.push('gap');
		out.push(p);
	}
	return out;
}

/** Points with at most one decimal, e.g. `123.4`, `-40`, `1,350`. */
export function formatPoints(value: number): string {
	return value.toLocaleString('en', { maximumFractionDigits: 1 });
}

/** One line of a score breakdown. */
export interface ScoreLine {
	label: string;
	value: string;
}

const ITEM_PARTS = [
	['base', 'Base'],
	['gapOverUpgrade', 'Gap over upgrade'],
	['contentAge', 'Content age'],
	['missingDuration', 'Missing duration'],
	['neverSearched', 'Never searched'],
	['leastRecentlySearched', 'Least recently searched'],
	['failurePenalty', 'Failure penalty'],
	['override', 'Override']
] as const satisfies readonly (readonly [keyof BatchScore['averageItem'], string])[];

/**
 * A batch's score, explained: the batch figures (points per query, queries, expected acquired,
 * items, rule), then the averaged item parts (signed: `+30`, `-20`) and their total.
 */
export function scoreBreakdown(score: BatchScore): { batch: ScoreLine[]; item: ScoreLine[] } {
	const signed = (n: number) => (n > 0 ? `+${formatPoints(n)}` : formatPoints(n));
	return {
		batch: [
			{ label: 'Points per query', value: formatPoints(score.perQuery) },
			{ label: 'Queries', value: formatPoints(score.queries) },
			{ label: 'Expected acquired', value: score.expectedAcquired.toFixed(2) },
			{ label: 'Items', value: formatPoints(score.items) },
			{ label: 'Rule', value: score.rule }
		],
		item: [
			...ITEM_PARTS.map(([key, label]) => ({
				label,
				value:
					key === 'base' ? formatPoints(score.averageItem[key]) : signed(score.averageItem[key])
			})),
			{ label: 'Average item score', value: formatPoints(score.averageItem.total) }
		]
	};
}

/** An estimate as `listPending` gives it (dates may arrive as strings after serialisation). */
export interface EstimateLike {
	at: Date | string | null;
	reason: 'ready' | 'window' | 'budget' | 'paused' | 'outside_window';
}

/**
 * When a batch is expected to go, in words: "next dispatch", "in 5 min. (throttle window)",
 * "in 14 hr. (daily budget)", "in 6 hr. (active hours)", "paused", "not within the daily budget".
 */
export function estimateText(estimate: EstimateLike, now: Date | number): string {
	if (estimate.reason === 'paused') return 'Paused';
	const at = estimate.at === null ? null : new Date(estimate.at);
	if (at === null) return 'Not within the daily budget';
	if (estimate.reason === 'ready' || at.getTime() - Number(now) < 10_000) return 'Next dispatch';
	const when = formatRelativeTime(at, now);
	if (estimate.reason === 'outside_window') return `${when} (active hours)`;
	return estimate.reason === 'window' ? `${when} (throttle window)` : `${when} (daily budget)`;
}

/** A pause as the page lists it. */
export interface PauseLike {
	connectorId: number | null;
	connectorName: string | null;
	until: Date | string | null;
	reason: string | null;
}

/**
 * Who paused what, in words: "Paused for every connector by you", "Sonarr paused by Comradarr:
 * rate limited by the app (HTTP 429), until …". `formatUntil` renders the end time.
 */
export function pauseText(pause: PauseLike, formatUntil: (at: Date) => string): string {
	const scope =
		pause.connectorId === null
			? 'Paused for every connector'
			: `${pause.connectorName ?? `Connector ${pause.connectorId}`} paused`;
	if (pause.reason === null && pause.until === null) return `${scope} by a user`;
	const why = pause.reason ? `: ${pause.reason}` : '';
	const until = pause.until ? ` — until ${formatUntil(new Date(pause.until))}` : '';
	return `${scope} by Comradarr${why}${until}`;
}
