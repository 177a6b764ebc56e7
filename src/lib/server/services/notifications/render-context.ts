/**
 * Reading what the renderer needs from the database: the events of an outbox row and the names
 * of the connectors, series, episodes and movies they refer to (render.ts is pure).
 */
import { inArray } from 'drizzle-orm';
import type { DbOrTx } from '$lib/server/db';
import { connectors, episodes, events, movies, series } from '$lib/server/db/schema';
import type { EventType } from '$lib/types/events';
import type { RenderEvent, RenderLookup } from './render';

/** The events of `ids` that still exist, in the order of `ids` (pruned ones are left out). */
export async function loadRenderEvents(db: DbOrTx, ids: readonly number[]): Promise<RenderEvent[]> {
	if (ids.length === 0) return [];
	const rows = await db
		.select()
		.from(events)
		.where(inArray(events.id, [...new Set(ids)]));
	const byId = new Map(rows.map((r) => [r.id, r]));
	return [...new Set(ids)].flatMap((id) => {
		const r = byId.get(id);
		return r
			? [
					{
						id: r.id,
						type: r.type as EventType,
						connectorId: r.connectorId,
						subject: r.subject as RenderEvent['subject'],
						payload: r.payload,
						createdAt: r.createdAt
					}
				]
			: [];
	});
}

/** The names `list` refers to (connectors, series, episodes with their series, movies). */
export async function loadLookup(db: DbOrTx, list: readonly RenderEvent[]): Promise<RenderLookup> {
	const connectorIds = new Set<number>();
	const seriesIds = new Set<number>();
	const episodeIds = new Set<number>();
	const movieIds = new Set<number>();
	for (const e of list) {
		if (e.connectorId !== null) connectorIds.add(e.connectorId);
		if (typeof e.subject.seriesId === 'number') seriesIds.add(e.subject.seriesId);
		if (typeof e.subject.movieId === 'number') movieIds.add(e.subject.movieId);
		for (const id of e.subject.episodeIds ?? []) episodeIds.add(id);
		for (const id of e.subject.movieIds ?? []) movieIds.add(id);
	}
	const episodeRows =
		episodeIds.size === 0
			? []
			: await db
					.select({
						id: episodes.id,
						seriesId: episodes.seriesId,
						seasonNumber: episodes.seasonNumber,
						episodeNumber: episodes.episodeNumber,
						title: episodes.title
					})
					.from(episodes)
					.where(inArray(episodes.id, [...episodeIds]));
	for (const e of episodeRows) seriesIds.add(e.seriesId);
	// One after the other: `db` may be a transaction (one connection).
	const connectorRows =
		connectorIds.size === 0
			? []
			: await db
					.select({ id: connectors.id, name: connectors.name, type: connectors.type })
					.from(connectors)
					.where(inArray(connectors.id, [...connectorIds]));
	const seriesRows =
		seriesIds.size === 0
			? []
			: await db
					.select({ id: series.id, title: series.title, year: series.year })
					.from(series)
					.where(inArray(series.id, [...seriesIds]));
	const movieRows =
		movieIds.size === 0
			? []
			: await db
					.select({ id: movies.id, title: movies.title, year: movies.year })
					.from(movies)
					.where(inArray(movies.id, [...movieIds]));
	return {
		connectors: new Map(connectorRows.map((c) => [c.id, { name: c.name, type: c.type }])),
		series: new Map(seriesRows.map((s) => [s.id, { title: s.title, year: s.year }])),
		episodes: new Map(episodeRows.map((e) => [e.id, e])),
		movies: new Map(movieRows.map((m) => [m.id, { title: m.title, year: m.year }]))
	};
}
