/**
 * The shapes of a search's score (services/queue/prioritizer.ts explains the model): shared by the
 * queue table's `score` column, the API and the queue page.
 */

/** An item's score, part by part (points); `total` is their sum floored at 1. */
export interface ItemScore {
	base: number;
	gapOverUpgrade: number;
	contentAge: number;
	missingDuration: number;
	neverSearched: number;
	leastRecentlySearched: number;
	failurePenalty: number;
	override: number;
	total: number;
}

/** A batch's score and how it was reached; stored on the queue row (`request_queue.score`). */
export interface BatchScore {
	/** Points per query: what the queue is ordered by. */
	perQuery: number;
	/** Indexer queries the command costs. */
	queries: number;
	/** Items the command is expected to acquire (Σ p, × PACK_LIKELIHOOD for a season pack). */
	expectedAcquired: number;
	/** Items in the command. */
	items: number;
	/** Why this command shape: the batching rule that chose it. */
	rule: string;
	/** The items' score parts, averaged (points). */
	averageItem: Record<Exclude<keyof ItemScore, 'total'>, number> & { total: number };
}
