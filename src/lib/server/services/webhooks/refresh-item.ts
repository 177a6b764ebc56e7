/**
 * Refreshes one series or one movie in the mirror from the *arr app — what a webhook asks for.
 *
 * TODO(issue 8, sync rewrite): delegate to `refreshSeries` / `refreshMovie` of
 * `services/sync/refresh.ts` once that lands (same deps `{db, connector, client, clock?}`), and
 * drop the reads, writes and events below. Until then this uses the connector clients and the
 * content.ts writes the full sync uses:
 * - series: `GET /api/v3/series/{id}` (SeriesResource with season statistics), then its episodes
 *   and episode files (`GET /api/v3/episode?seriesId=`, `GET /api/v3/episodefile?seriesId=`), and
 *   `upsertSeries` + `replaceSeriesEpisodes` in one transaction;
 * - movie: `GET /api/v3/movie/{id}` and `replaceMovies` with every other movie of the connector in
 *   the keep-list (content.ts has no single-movie write);
 * - a 404 for the item removes it (cascading to its search state), through `removeSeriesExcept` /
 *   `replaceMovies` with every other item kept.
 * The content.ts writes emit no events yet, so this module appends `item.acquired` (an episode or
 * movie that had no file has one now), `item.upgraded` (its file was replaced) and `item.removed`
 * in the same transaction as the write (appendEvents).
 *
 * The keep-list writes delete "every item of the connector but these", so two of them must not
 * interleave (a movie another refresh just added would be missing from this one's keep-list):
 * each refresh holds a transaction-level advisory lock per connector (`WEBHOOK_REFRESH_LOCK_NS`,
 * connector id), across processes. Known limit until the sync rewrite lands: the full sync does
 * not take that lock, so an item it inserts between a refresh's keep-list read and its delete
 * would be removed again; the next sync puts it back.
 */
import { and, eq, ne, sql } from 'drizzle-orm';
import type { Database, DbOrTx } from '../../db';
import { episodes, movies, series, type Connector } from '../../db/schema';
import {
	removeSeriesExcept,
	replaceMovies,
	replaceSeriesEpisodes,
	upsertSeries
} from '../../db/queries/content';
import { appendEvents } from '../../db/queries/events';
import { RadarrClient, SonarrClient, type ArrClient, type LibraryKind } from '../../connectors';
import type { NewEvent } from '../../../types/events';

/** Advisory lock namespace of webhook refreshes (`pg_advisory_xact_lock(ns, connectorId)`). */
export const WEBHOOK_REFRESH_LOCK_NS = 0x5768;

/** Serialises this connector's refresh writes (see the module comment). */
async function lockConnector(tx: DbOrTx, connectorId: number): Promise<void> {
	await tx.execute(sql`select pg_advisory_xact_lock(${WEBHOOK_REFRESH_LOCK_NS}, ${connectorId})`);
}

/** What a refresh needs (the shape `services/sync/refresh.ts` will take). */
export interface RefreshDeps {
	db: Database;
	connector: Pick<Connector, 'id'>;
	client: ArrClient;
	clock?: () => Date;
}

/** Facts recorded in the payload of the events a refresh appends. */
export interface RefreshContext {
	/** e.g. `webhook`. */
	source: string;
	/** The notification's eventType (`Download`, `MovieDelete`…). */
	eventType?: string;
}

/** What a refresh did. Counts are of episodes for a series, 0 or 1 for a movie. */
export interface RefreshResult {
	kind: LibraryKind;
	arrId: number;
	/** `updated`: the item is in the mirror as the app has it now; `removed`: the app has it no more; `absent`: neither had it. */
	outcome: 'updated' | 'removed' | 'absent';
	acquired: number;
	upgraded: number;
	/** Items the app sent that did not parse (skipped, as in a sync). */
	skipped: number;
}

interface FileState {
	id: number;
	arrId: number;
	hasFile: boolean;
	fileId: number | null;
	quality: string | null;
	qualityCutoffNotMet: boolean;
}

/** `item.acquired` / `item.upgraded` for what changed between two readings of the same items. */
function fileChanges(before: readonly FileState[], after: readonly FileState[]) {
	const previous = new Map(before.map((row) => [row.arrId, row]));
	const acquired: FileState[] = [];
	const upgraded: { from: FileState; to: FileState }[] = [];
	for (const row of after) {
		const was = previous.get(row.arrId);
		// A new item that already has a file was imported before Comradarr knew it: not news.
		if (!was || !row.hasFile) continue;
		if (!was.hasFile) acquired.push(row);
		else if (was.fileId !== row.fileId) upgraded.push({ from: was, to: row });
	}
	return { acquired, upgraded };
}

async function episodeStates(tx: DbOrTx, seriesId: number): Promise<FileState[]> {
	return tx
		.select({
			id: episodes.id,
			arrId: episodes.arrId,
			hasFile: episodes.hasFile,
			fileId: episodes.episodeFileId,
			quality: episodes.quality,
			qualityCutoffNotMet: episodes.qualityCutoffNotMet
		})
		.from(episodes)
		.where(eq(episodes.seriesId, seriesId));
}

async function movieState(tx: DbOrTx, connectorId: number, arrId: number) {
	const [row] = await tx
		.select({
			id: movies.id,
			arrId: movies.arrId,
			title: movies.title,
			hasFile: movies.hasFile,
			fileId: movies.movieFileId,
			quality: movies.quality,
			qualityCutoffNotMet: movies.qualityCutoffNotMet
		})
		.from(movies)
		.where(and(eq(movies.connectorId, connectorId), eq(movies.arrId, arrId)));
	return row;
}

/**
 * Re-reads one series with its episodes and episode files and writes it to the mirror.
 * @param arrSeriesId the app's series id (WebhookSeries.id)
 * @throws ArrApiError when the app cannot be read (nothing is written then); database errors.
 */
export async function refreshSeries(
	deps: RefreshDeps,
	arrSeriesId: number,
	context: RefreshContext = { source: 'webhook' }
): Promise<RefreshResult> {
	const { db, connector, client } = deps;
	if (!(client instanceof SonarrClient)) throw new Error('refreshSeries needs a series client');
	const result: RefreshResult = {
		kind: 'series',
		arrId: arrSeriesId,
		outcome: 'updated',
		acquired: 0,
		upgraded: 0,
		skipped: 0
	};
	const fetched = await client.getSeries(arrSeriesId);
	const list = fetched ? await client.listEpisodes(arrSeriesId) : null;
	const createdAt = deps.clock?.();
	const at = createdAt ? { createdAt } : {};
	const payloadBase = {
		source: context.source,
		...(context.eventType ? { eventType: context.eventType } : {})
	};
	await db.transaction(async (tx) => {
		await lockConnector(tx, connector.id);
		const [existing] = await tx
			.select({ id: series.id, title: series.title })
			.from(series)
			.where(and(eq(series.connectorId, connector.id), eq(series.arrId, arrSeriesId)));
		if (!fetched || !list) {
			if (!existing) {
				result.outcome = 'absent';
				return;
			}
			const others = await tx
				.select({ arrId: series.arrId })
				.from(series)
				.where(and(eq(series.connectorId, connector.id), ne(series.arrId, arrSeriesId)));
			await removeSeriesExcept(
				tx,
				connector.id,
				others.map((row) => row.arrId)
			);
			result.outcome = 'removed';
			await appendEvents(tx, [
				{
					type: 'item.removed',
					connectorId: connector.id,
					subject: { seriesId: existing.id, arrSeriesId },
					payload: { ...payloadBase, title: existing.title },
					...at
				}
			]);
			return;
		}
		const before = existing ? await episodeStates(tx, existing.id) : [];
		const ids = await upsertSeries(tx, connector.id, [fetched]);
		const seriesId = ids.get(arrSeriesId);
		if (seriesId === undefined) throw new Error(`series ${arrSeriesId} was not written`);
		await replaceSeriesEpisodes(tx, connector.id, seriesId, list.items, list.skippedIds);
		result.skipped = list.skipped;
		const { acquired, upgraded } = fileChanges(before, await episodeStates(tx, seriesId));
		result.acquired = acquired.length;
		result.upgraded = upgraded.length;
		const changes: NewEvent[] = [];
		const subject = { seriesId, arrSeriesId };
		if (acquired.length > 0) {
			changes.push({
				type: 'item.acquired',
				connectorId: connector.id,
				subject: {
					...subject,
					episodeIds: acquired.map((e) => e.id),
					arrEpisodeIds: acquired.map((e) => e.arrId)
				},
				payload: {
					...payloadBase,
					title: fetched.title,
					qualities: [...new Set(acquired.map((e) => e.quality).filter((q) => q !== null))]
				},
				...at
			});
		}
		if (upgraded.length > 0) {
			changes.push({
				type: 'item.upgraded',
				connectorId: connector.id,
				subject: {
					...subject,
					episodeIds: upgraded.map((e) => e.to.id),
					arrEpisodeIds: upgraded.map((e) => e.to.arrId)
				},
				payload: {
					...payloadBase,
					title: fetched.title,
					from: [...new Set(upgraded.map((e) => e.from.quality).filter((q) => q !== null))],
					to: [...new Set(upgraded.map((e) => e.to.quality).filter((q) => q !== null))],
					cutoffMet: upgraded.every((e) => !e.to.qualityCutoffNotMet)
				},
				...at
			});
		}
		await appendEvents(tx, changes);
	});
	return result;
}

/**
 * Re-reads one movie and writes it to the mirror.
 * @param arrMovieId the app's movie id (WebhookMovie.id)
 * @throws ArrApiError when the app cannot be read (nothing is written then); database errors.
 */
export async function refreshMovie(
	deps: RefreshDeps,
	arrMovieId: number,
	context: RefreshContext = { source: 'webhook' }
): Promise<RefreshResult> {
	const { db, connector, client } = deps;
	if (!(client instanceof RadarrClient)) throw new Error('refreshMovie needs a movie client');
	const result: RefreshResult = {
		kind: 'movies',
		arrId: arrMovieId,
		outcome: 'updated',
		acquired: 0,
		upgraded: 0,
		skipped: 0
	};
	const fetched = await client.getMovie(arrMovieId);
	const createdAt = deps.clock?.();
	const at = createdAt ? { createdAt } : {};
	const payloadBase = {
		source: context.source,
		...(context.eventType ? { eventType: context.eventType } : {})
	};
	await db.transaction(async (tx) => {
		await lockConnector(tx, connector.id);
		const before = await movieState(tx, connector.id, arrMovieId);
		if (!fetched && !before) {
			result.outcome = 'absent';
			return;
		}
		const others = await tx
			.select({ arrId: movies.arrId })
			.from(movies)
			.where(and(eq(movies.connectorId, connector.id), ne(movies.arrId, arrMovieId)));
		await replaceMovies(
			tx,
			connector.id,
			fetched ? [fetched] : [],
			others.map((row) => row.arrId)
		);
		if (!fetched) {
			result.outcome = 'removed';
			if (before) {
				await appendEvents(tx, [
					{
						type: 'item.removed',
						connectorId: connector.id,
						subject: { movieId: before.id, arrMovieId },
						payload: { ...payloadBase, title: before.title },
						...at
					}
				]);
			}
			return;
		}
		const after = await movieState(tx, connector.id, arrMovieId);
		if (!after) throw new Error(`movie ${arrMovieId} was not written`);
		const { acquired, upgraded } = fileChanges(before ? [before] : [], [after]);
		result.acquired = acquired.length;
		result.upgraded = upgraded.length;
		const subject = { movieId: after.id, arrMovieId };
		const changes: NewEvent[] = [];
		if (acquired.length > 0) {
			changes.push({
				type: 'item.acquired',
				connectorId: connector.id,
				subject,
				payload: { ...payloadBase, title: fetched.title, quality: after.quality },
				...at
			});
		}
		for (const change of upgraded) {
			changes.push({
				type: 'item.upgraded',
				connectorId: connector.id,
				subject,
				payload: {
					...payloadBase,
					title: fetched.title,
					from: change.from.quality,
					to: change.to.quality,
					cutoffMet: !change.to.qualityCutoffNotMet
				},
				...at
			});
		}
		await appendEvents(tx, changes);
	});
	return result;
}

/** Refreshes the series or movie `item` names (`kind` from the connector's library). */
export function refreshItem(
	deps: RefreshDeps,
	item: { kind: LibraryKind; arrId: number },
	context?: RefreshContext
): Promise<RefreshResult> {
	return item.kind === 'series'
		? refreshSeries(deps, item.arrId, context)
		: refreshMovie(deps, item.arrId, context);
}
