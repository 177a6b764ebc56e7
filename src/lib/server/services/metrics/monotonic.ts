/**
 * Counters read from PostgreSQL tables that are pruned (events after 90 days, job runs after 30,
 * notification deliveries after 30: database/maintenance-jobs.ts `PRUNE_RULES`). A count of the
 * retained rows falls when Prune runs, and Prometheus reads any fall of a counter as a restart,
 * counting the whole new value as an increase. So each process keeps, per label set, the value it
 * exported and the count it last read: a rise of the count is added, a fall is ignored.
 *
 * - The first value of a label set is the count of its retained rows, so every process (and every
 *   replica) exports the same numbers until a prune happens while one of them runs.
 * - A prune between two scrapes hides the rows added in that interval (at most one scrape
 *   interval's worth, once a day).
 * - After a restart the process starts again from the retained count: when a prune happened
 *   while the old one ran, Prometheus sees that as the counter reset it is.
 */

/** Label values by label name. */
export type Labels = Record<string, string>;

/** One count read from the database. */
export interface CountRow {
	labels: Labels;
	value: number;
}

function keyOf(labels: Labels): string {
	return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The exported totals of one counter (see the module comment). */
export class MonotonicTotals {
	readonly #read = new Map<string, number>();
	readonly #exported = new Map<string, { labels: Labels; value: number }>();

	/**
	 * Takes a fresh read of the counts.
	 * @param keep for a label set missing from `rows` (its rows pruned, or its connector deleted):
	 *   true keeps exporting its total, false drops it.
	 */
	update(rows: readonly CountRow[], keep: (labels: Labels) => boolean): void {
		const seen = new Set<string>();
		for (const { labels, value } of rows) {
			const key = keyOf(labels);
			seen.add(key);
			const count = Math.max(0, value);
			const previous = this.#read.get(key);
			const current = this.#exported.get(key);
			if (previous === undefined || current === undefined) {
				this.#exported.set(key, { labels, value: count });
			} else if (count > previous) {
				current.value += count - previous;
			}
			this.#read.set(key, count);
		}
		for (const [key, entry] of this.#exported) {
			if (seen.has(key)) continue;
			if (keep(entry.labels)) {
				this.#read.set(key, 0);
			} else {
				this.#exported.delete(key);
				this.#read.delete(key);
			}
		}
	}

	/** The totals to export. */
	entries(): { labels: Labels; value: number }[] {
		return [...this.#exported.values()];
	}
}
