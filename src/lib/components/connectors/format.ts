import type { LibraryKind } from '$lib/server/connectors';

/**
 * Number and duration formatting for the pages and the messages of their actions. The locale is
 * fixed so server-rendered and hydrated text agree (as in `$lib/utils`).
 */
const integer = new Intl.NumberFormat('en');
const seconds = new Intl.NumberFormat('en', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** 12345 → "12,345". */
export function formatCount(value: number): string {
	return integer.format(value);
}

/** `countOf(1, 'command')` → "1 command"; `countOf(42, 'search', 'searches')` → "42 searches". */
export function countOf(value: number, singular: string, plural = `${singular}s`): string {
	return `${formatCount(value)} ${value === 1 ? singular : plural}`;
}

/** Milliseconds as "0.4 s", "12.3 s", "2 min 5 s". */
export function formatDuration(ms: number): string {
	if (ms < 60_000) return `${seconds.format(ms / 1000)} s`;
	const totalSeconds = Math.round(ms / 1000);
	const minutes = Math.floor(totalSeconds / 60);
	const rest = totalSeconds % 60;
	return rest === 0 ? `${formatCount(minutes)} min` : `${formatCount(minutes)} min ${rest} s`;
}

/** Percent of a 0..1 share: 0.873 → "87%", null → "—". */
export function formatPercent(share: number | null): string {
	return share === null ? '—' : `${Math.round(share * 100)}%`;
}

/** What a sync saw: "12 series, 380 episodes" for a series library, "250 movies" for movies. */
export function libraryCounts(
	kind: LibraryKind,
	counts: { seriesCount: number; episodeCount: number; movieCount: number }
): string {
	if (kind === 'movies') return countOf(counts.movieCount, 'movie');
	const series = countOf(counts.seriesCount, 'series', 'series');
	return `${series}, ${countOf(counts.episodeCount, 'episode')}`;
}
