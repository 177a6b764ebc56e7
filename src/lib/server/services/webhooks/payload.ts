/**
 * The *arr apps' own "Settings → Connect → Webhook" notifications, read as far as Comradarr needs
 * them: which event, and which series or movie it is about. Everything else in the body is ignored
 * (the schemas are loose), and nothing from the body is written to the mirror: a refresh re-reads
 * the item from the app itself (refresh-item.ts), so a payload can only ask for a re-read.
 *
 * Shapes, from the apps' source (Newtonsoft with camelCase property names and `null`s omitted;
 * `eventType` is the one enum written PascalCase, `[JsonConverter(StringEnumConverter,
 * DefaultNamingStrategy)]` on WebhookEventType):
 * - Sonarr (github.com/Sonarr/Sonarr, `src/NzbDrone.Core/Notifications/Webhook/`):
 *   `WebhookEventType.cs` (Test, Grab, Download, Rename, SeriesAdd, SeriesDelete,
 *   EpisodeFileDelete, Health, ApplicationUpdate, HealthRestored, ManualInteractionRequired),
 *   `WebhookPayload.cs` (eventType, instanceName, applicationUrl), `WebhookSeries.cs` (id, title,
 *   tvdbId…), `WebhookEpisode.cs` (id, seriesId, seasonNumber, episodeNumber…),
 *   `WebhookEpisodeFile.cs` (id, quality, qualityVersion…), `WebhookGrabPayload.cs`,
 *   `WebhookImportPayload.cs` (series, episodes, episodeFile, isUpgrade, deletedFiles),
 *   `WebhookImportCompletePayload.cs` (also `eventType: "Download"`, with `episodeFiles[]`),
 *   `WebhookEpisodeDeletePayload.cs` (episodeFile, deleteReason), `WebhookSeriesDeletePayload.cs`
 *   (series, deletedFiles), `WebhookRenamePayload.cs` (renamedEpisodeFiles),
 *   `WebhookSeriesAddPayload.cs`; the Test payload is built in `WebhookBase.cs`
 *   (`BuildTestPayload`: series id 1 "Test Title", one episode id 123); the request in
 *   `WebhookProxy.cs` (POST or PUT, `Content-Type: application/json`, HTTP Basic from the
 *   Username/Password fields, extra headers from `WebhookSettings.cs`).
 * - Radarr (github.com/Radarr/Radarr, same folder): `WebhookEventType.cs` (Test, Grab, Download,
 *   Rename, MovieDelete, MovieFileDelete, Health, ApplicationUpdate, MovieAdded, HealthRestored,
 *   ManualInteractionRequired), `WebhookMovie.cs` (id, title, year, tmdbId, imdbId…),
 *   `WebhookMovieFile.cs`, `WebhookRemoteMovie.cs`, `WebhookGrabPayload.cs`,
 *   `WebhookImportPayload.cs` (movie, remoteMovie, movieFile, isUpgrade, deletedFiles),
 *   `WebhookMovieFileDeletePayload.cs`, `WebhookMovieDeletePayload.cs` (movie, deletedFiles,
 *   movieFolderSize), `WebhookRenamePayload.cs` (renamedMovieFiles), `WebhookAddedPayload.cs`;
 *   Test in `WebhookBase.cs` (movie id 1, "Test Title", 1970).
 * - Whisparr v2 is a Sonarr fork (series-shaped), v3 a Radarr fork (movie-shaped).
 */
import * as v from 'valibot';
import type { LibraryKind } from '../../connectors';

/** Every `eventType` either app sends (Sonarr's and Radarr's WebhookEventType.cs). */
export const WEBHOOK_EVENT_TYPES = [
	'Test',
	'Grab',
	'Download',
	'Rename',
	'SeriesAdd',
	'SeriesDelete',
	'EpisodeFileDelete',
	'MovieAdded',
	'MovieDelete',
	'MovieFileDelete',
	'Health',
	'HealthRestored',
	'ApplicationUpdate',
	'ManualInteractionRequired'
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

const arrId = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2_147_483_647));
/** WebhookSeries / WebhookMovie: only the id is used. */
const ItemSchema = v.looseObject({ id: arrId, title: v.optional(v.nullable(v.string())) });

/** The fields of any webhook body that Comradarr reads. */
export const WebhookBodySchema = v.looseObject({
	eventType: v.pipe(v.string('eventType must be a string'), v.minLength(1), v.maxLength(64)),
	instanceName: v.optional(v.nullable(v.string())),
	series: v.optional(v.nullable(ItemSchema)),
	movie: v.optional(v.nullable(ItemSchema)),
	/** WebhookImportPayload.isUpgrade: the import replaced files (`message.OldFiles.Any()`). */
	isUpgrade: v.optional(v.nullable(v.boolean()))
});
export type WebhookBody = v.InferOutput<typeof WebhookBodySchema>;

/** Why a refresh was asked for (kept in the refresh's event payload and the log). */
export type RefreshReason = 'imported' | 'upgraded' | 'file_deleted' | 'deleted' | 'added';

/** What to do about one notification. */
export type WebhookPlan =
	| { action: 'none'; eventType: string; reason: string }
	| {
			action: 'refresh';
			eventType: string;
			item: { kind: LibraryKind; arrId: number };
			reason: RefreshReason;
	  };

/** A body that is JSON but not a webhook Comradarr can act on: the answer is a 4xx. */
export class WebhookPayloadError extends Error {
	constructor(
		readonly status: 400 | 422,
		readonly code: string,
		message: string
	) {
		super(message);
		this.name = 'WebhookPayloadError';
	}
}

/** Events that change what the mirror holds for one item, with the reason recorded. */
const REFRESHING: Partial<Record<WebhookEventType, RefreshReason>> = {
	Download: 'imported',
	EpisodeFileDelete: 'file_deleted',
	MovieFileDelete: 'file_deleted',
	SeriesDelete: 'deleted',
	MovieDelete: 'deleted',
	SeriesAdd: 'added',
	MovieAdded: 'added'
};

/** Why an accepted event changes nothing. */
const IGNORED: Partial<Record<WebhookEventType, string>> = {
	Test: 'test notification',
	// The release is only on its way: the mirror changes at the Download (import) that follows.
	Grab: 'grabbed, not imported yet',
	// File names and paths are not mirrored; ids, qualities and has-file stay as they were.
	Rename: 'nothing mirrored changes on a rename',
	Health: 'health events are read by the health check',
	HealthRestored: 'health events are read by the health check',
	ApplicationUpdate: 'nothing mirrored changes',
	ManualInteractionRequired: 'nothing mirrored changes until the import'
};

function isKnown(type: string): type is WebhookEventType {
	return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(type);
}

/**
 * Decides what a parsed JSON body asks for, for a connector whose library holds `library`.
 * @param body the JSON value of the request body
 * @returns `none` for Test, Grab, Rename, health and update events and for event types this
 *   version does not know (a newer app must not see its notifications fail); `refresh` of the
 *   series (`series.id`) or movie (`movie.id`) for Download (also upgrades, `isUpgrade`),
 *   EpisodeFileDelete / MovieFileDelete, SeriesDelete / MovieDelete and SeriesAdd / MovieAdded.
 * @throws WebhookPayloadError 400 `webhooks.invalid_payload` when the body is not an object with
 *   a string `eventType` or its series/movie has no positive integer id; 422
 *   `webhooks.wrong_library` when it names a movie for a series library or the reverse (the URL
 *   of one connector was pasted into another app), or a refreshing event names no item.
 */
export function planWebhook(body: unknown, library: LibraryKind): WebhookPlan {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		throw new WebhookPayloadError(
			400,
			'webhooks.invalid_payload',
			'The body must be a JSON object.'
		);
	}
	const parsed = v.safeParse(WebhookBodySchema, body);
	if (!parsed.success) {
		const issue = parsed.issues[0];
		const path = issue ? v.getDotPath(issue) : null;
		throw new WebhookPayloadError(
			400,
			'webhooks.invalid_payload',
			`Not a webhook notification${path ? ` (${path} is invalid)` : ''}.`
		);
	}
	const { eventType, series, movie } = parsed.output;
	const named: LibraryKind | null = series ? 'series' : movie ? 'movies' : null;
	if (named !== null && named !== library) {
		throw new WebhookPayloadError(
			422,
			'webhooks.wrong_library',
			library === 'series'
				? 'This URL belongs to a connector holding series, but the notification is about a movie: use the URL of the Radarr connector.'
				: 'This URL belongs to a connector holding movies, but the notification is about a series: use the URL of the Sonarr connector.'
		);
	}
	if (!isKnown(eventType)) return { action: 'none', eventType, reason: 'unknown event type' };
	const reason = REFRESHING[eventType];
	if (reason === undefined) {
		return { action: 'none', eventType, reason: IGNORED[eventType] ?? 'nothing to do' };
	}
	const item = library === 'series' ? series : movie;
	if (!item) {
		throw new WebhookPayloadError(
			422,
			'webhooks.wrong_library',
			`A ${eventType} notification must name its ${library === 'series' ? 'series' : 'movie'}.`
		);
	}
	return {
		action: 'refresh',
		eventType,
		item: { kind: library, arrId: item.id },
		reason: reason === 'imported' && parsed.output.isUpgrade === true ? 'upgraded' : reason
	};
}
