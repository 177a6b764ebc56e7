/**
 * The app's history (`GET /api/v3/history/since`), shared by the Sonarr- and Radarr-shaped apps.
 *
 * Source: Sonarr `HistoryController.GetHistorySince(DateTime date, EpisodeHistoryEventType?
 * eventType, bool includeSeries, bool includeEpisode)` and Radarr's `(date, eventType,
 * includeMovie)`: every record with `date >= date`, oldest first, not paged. The simulator records
 * a `grabbed` + `downloadFolderImported` pair when a search gains a file, `downloadFolderImported`
 * when a test gives an item a file and `episodeFileDeleted` / `movieFileDeleted` when it takes one
 * away. `includeSeries` / `includeEpisode` / `includeMovie` are accepted and ignored (no embedded
 * resources).
 */
import { badQueryValue, jsonResponse, wireDate, type AppRequest, type JsonObject } from './wire';

/** One history record (fields of the specs' HistoryResource). */
export interface SimHistoryItem {
	id: number;
	date: Date;
	/** EpisodeHistoryEventType / MovieHistoryEventType. */
	eventType: string;
	seriesId?: number;
	episodeId?: number;
	movieId?: number;
	sourceTitle: string;
	/** The QualityModel of the file or release, as its file resource writes it. */
	quality: JsonObject;
	qualityCutoffNotMet: boolean;
	downloadId: string | null;
}

/** Event types of each family, in the specs' enum order (an int `eventType` indexes it). */
export const SONARR_HISTORY_EVENTS = [
	'unknown',
	'grabbed',
	'seriesFolderImported',
	'downloadFolderImported',
	'downloadFailed',
	'episodeFileDeleted',
	'episodeFileRenamed',
	'downloadIgnored'
] as const;
export const RADARR_HISTORY_EVENTS = [
	'unknown',
	'grabbed',
	'downloadFolderImported',
	'downloadFailed',
	'movieFileDeleted',
	'movieFolderImported',
	'movieFileRenamed',
	'downloadIgnored'
] as const;

export class SimHistory {
	items: SimHistoryItem[] = [];
	#nextId = 1;

	add(item: Omit<SimHistoryItem, 'id'>): SimHistoryItem {
		const full = { ...item, id: this.#nextId++ };
		this.items.push(full);
		return full;
	}

	clear(): void {
		this.items = [];
	}

	/**
	 * `GET /api/v3/history/since`. A `date` that does not parse is a 400 (model binding); an absent
	 * one binds to DateTime's default (everything).
	 */
	since(req: AppRequest, events: readonly string[]): Response {
		const rawDate = req.query.date?.[req.query.date.length - 1];
		let fromMs = -Infinity;
		if (rawDate !== undefined && rawDate !== '') {
			const ms = Date.parse(rawDate);
			if (Number.isNaN(ms)) {
				return badQueryValue('date', req.query.date);
			}
			fromMs = ms;
		}
		const rawType = req.query.eventtype?.[req.query.eventtype.length - 1];
		let type: string | undefined;
		if (rawType !== undefined && rawType !== '') {
			type = /^\d+$/.test(rawType)
				? events[Number(rawType)]
				: events.find((e) => e.toLowerCase() === rawType.toLowerCase());
			if (type === undefined) {
				return badQueryValue('eventType', req.query.eventtype);
			}
		}
		const list = this.items
			.filter((h) => h.date.getTime() >= fromMs && (type === undefined || h.eventType === type))
			.sort((a, b) => a.date.getTime() - b.date.getTime() || a.id - b.id);
		return jsonResponse(
			list.map((h): JsonObject => ({
				episodeId: h.episodeId,
				seriesId: h.seriesId,
				movieId: h.movieId,
				sourceTitle: h.sourceTitle,
				languages: [{ id: 1, name: 'English' }],
				quality: h.quality,
				customFormats: [],
				customFormatScore: 0,
				qualityCutoffNotMet: h.qualityCutoffNotMet,
				date: wireDate(h.date),
				downloadId: h.downloadId ?? undefined,
				eventType: h.eventType,
				data: {},
				id: h.id
			}))
		);
	}
}
