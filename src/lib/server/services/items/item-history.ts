/**
 * What happened to one series or movie, newest first, for its page: the searches Comradarr sent
 * for it (`search_history`, matched by the app's ids in the command body — `SeasonSearch`
 * `seriesId`, `EpisodeSearch` `episodeIds`, `MoviesSearch` `movieIds`) and the
 * events about it (`events`: `item.acquired`, `item.upgraded`, `item.removed` and
 * `search.exhausted`, matched by our ids in `subject`). `search.sent` / `search.completed` are
 * left out: the history row of the command says the same.
 *
 * Both reads walk the connector's rows newest first on their `(connector_id, time)` indexes and
 * stop at `limit` matches.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db';
import { jsonParam } from '../../db/schema/columns';
import type { SearchCommandName, SearchOutcome, SearchType } from '../../db/schema';
import type { EventSubject, EventType } from '../../../types/events';
import { describeEvents } from '../dashboard/feed';
import { grabCount } from '../history/history-service';
import { inIds } from './item-scope';

/** Entries of each source read for a page (the page shows the newest `limit` of both). */
export const ITEM_HISTORY_LIMIT = 25;

const ITEM_EVENT_TYPES = [
	'item.acquired',
	'item.upgraded',
	'item.removed',
	'search.exhausted'
] as const satisfies readonly EventType[];
export type ItemEventType = (typeof ITEM_EVENT_TYPES)[number];

/** One entry of an item's history. `episodeIds` are ours (the page names them S01E02). */
export type ItemHistoryEntry =
	| {
			kind: 'search';
			id: number;
			at: Date;
			command: SearchCommandName;
			searchType: SearchType;
			label: string;
			outcome: SearchOutcome;
			message: string | null;
			/** Releases grabbed, from the command's message; null when it says none. */
			grabs: number | null;
	  }
	| {
			kind: 'event';
			id: number;
			at: Date;
			type: ItemEventType;
			/** The activity feed's sentence of the event ("Acquired Andor S01E02 on Sonarr (WEBDL-1080p)."). */
			text: string;
			episodeIds: number[];
			/**
			 * Quality names of the new files (acquired / upgraded: payload `qualities`, one per episode
			 * in `episodeIds` order, or a movie's `quality`) and a movie's previous one (`from`).
			 */
			qualities: string[];
			from: string | null;
			attempts: number | null;
	  };

/** Which item: a series (with its episodes' ids, ours and the app's) or a movie. */
export type ItemHistoryTarget =
	| {
			kind: 'series';
			connectorId: number;
			id: number;
			arrId: number;
			episodeIds: number[];
			arrEpisodeIds: number[];
	  }
	| { kind: 'movie'; connectorId: number; id: number; arrId: number };

type SearchRow = {
	id: number;
	finished_at: string | Date;
	command: SearchCommandName;
	search_type: SearchType;
	label: string;
	outcome: SearchOutcome;
	message: string | null;
};

type EventRow = {
	id: number | string;
	type: ItemEventType;
	created_at: string | Date;
	subject: EventSubject;
	payload: Record<string, unknown>;
};

function searchMatch(target: ItemHistoryTarget) {
	if (target.kind === 'movie') {
		return sql`h.payload->'movieIds' @> ${jsonParam([target.arrId])}`;
	}
	const byEpisode =
		target.arrEpisodeIds.length === 0
			? sql`false`
			: sql`exists (select 1 from jsonb_array_elements_text(h.payload->'episodeIds') e
			              where ${inIds(sql`e::int`, target.arrEpisodeIds)})`;
	return sql`(h.payload @> ${jsonParam({ seriesId: target.arrId })} or ${byEpisode})`;
}

function eventMatch(target: ItemHistoryTarget) {
	if (target.kind === 'movie') {
		return sql`(ev.subject @> ${jsonParam({ movieId: target.id })}
		         or ev.subject->'movieIds' @> ${jsonParam([target.id])})`;
	}
	const byEpisode =
		target.episodeIds.length === 0
			? sql`false`
			: sql`exists (select 1 from jsonb_array_elements_text(ev.subject->'episodeIds') e
			              where ${inIds(sql`e::int`, target.episodeIds)})`;
	return sql`(ev.subject @> ${jsonParam({ seriesId: target.id })} or ${byEpisode})`;
}

const strings = (value: unknown): string[] =>
	Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/**
 * The newest `limit` entries of the item's searches and events together, newest first (ties by
 * kind, then id).
 */
export async function getItemHistory(
	db: DbOrTx,
	target: ItemHistoryTarget,
	limit = ITEM_HISTORY_LIMIT
): Promise<ItemHistoryEntry[]> {
	const [searches, events] = await Promise.all([
		db.execute<SearchRow>(sql`
			select h.id, h.finished_at, h.command, h.search_type, h.label, h.outcome, h.message
			from search_history h
			where h.connector_id = ${target.connectorId} and ${searchMatch(target)}
			order by h.finished_at desc, h.id desc
			limit ${limit}`),
		db.execute<EventRow>(sql`
			select ev.id, ev.type, ev.created_at, ev.subject, ev.payload
			from events ev
			where ev.connector_id = ${target.connectorId}
			  and ev.type in (${sql.join(
					ITEM_EVENT_TYPES.map((t) => sql`${t}`),
					sql`, `
				)})
			  and ${eventMatch(target)}
			order by ev.created_at desc, ev.id desc
			limit ${limit}`)
	]);
	const sentences = await describeEvents(
		db,
		events.map((r) => ({
			id: Number(r.id),
			type: r.type,
			connectorId: target.connectorId,
			subject: r.subject,
			payload: r.payload,
			createdAt: new Date(r.created_at)
		}))
	);
	const entries: ItemHistoryEntry[] = [
		...searches.map((r): ItemHistoryEntry => ({
			kind: 'search',
			id: r.id,
			at: new Date(r.finished_at),
			command: r.command,
			searchType: r.search_type,
			label: r.label,
			outcome: r.outcome,
			message: r.message,
			grabs: grabCount(r.message)
		})),
		...events.map((r, i): ItemHistoryEntry => ({
			kind: 'event',
			id: Number(r.id),
			at: new Date(r.created_at),
			type: r.type,
			text: sentences[i]?.text ?? '',
			episodeIds: r.subject.episodeIds ?? [],
			qualities:
				typeof r.payload.quality === 'string' ? [r.payload.quality] : strings(r.payload.qualities),
			from: typeof r.payload.from === 'string' ? r.payload.from : null,
			attempts: typeof r.payload.attempts === 'number' ? r.payload.attempts : null
		}))
	];
	return entries
		.sort((a, b) => b.at.getTime() - a.at.getTime() || a.kind.localeCompare(b.kind) || b.id - a.id)
		.slice(0, limit);
}
