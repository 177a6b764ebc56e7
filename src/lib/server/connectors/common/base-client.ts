/**
 * What every *arr client can do, whatever the app: system status, health, ping, commands.
 * Endpoints (all in the Sonarr v4, Radarr v6 and Whisparr specs): `GET /ping`,
 * `GET /api/v3/system/status`, `GET /api/v3/health`, `POST /api/v3/command`,
 * `GET /api/v3/command`, `GET /api/v3/command/{id}`, `GET /api/v3/queue/status`.
 */
import { ArrHttpClient, type ArrHttpOptions } from './http';
import {
	CommandSchema,
	HealthItemSchema,
	HistorySchema,
	QualityProfileSchema,
	QueueStatusSchema,
	SystemStatusSchema,
	TagSchema,
	parseList,
	parseOne
} from './schemas';
import type {
	ArrCommand,
	HealthItem,
	HistoryRecord,
	MirrorQualityProfile,
	MirrorTag,
	Parsed,
	QueueStatus,
	SearchCommand,
	SystemStatus
} from './types';
import { ArrApiError } from './errors';

/** The only command names Comradarr ever sends (DESIGN.md decision 4: never bulk-search). */
export const ALLOWED_COMMANDS: ReadonlySet<string> = new Set([
	'EpisodeSearch',
	'SeasonSearch',
	'MoviesSearch'
]);

export class BaseArrClient {
	readonly http: ArrHttpClient;

	constructor(options: ArrHttpOptions) {
		this.http = new ArrHttpClient(options);
	}

	/** `GET /ping` (anonymous) → true when the app answers `{status: "OK"}`. */
	async ping(): Promise<boolean> {
		const body = await this.http.request('GET', '/ping');
		return (
			typeof body === 'object' && body !== null && (body as { status?: unknown }).status === 'OK'
		);
	}

	/** `GET /api/v3/system/status` → appName and version. */
	async getSystemStatus(): Promise<SystemStatus> {
		return parseOne(
			SystemStatusSchema,
			await this.http.request('GET', '/api/v3/system/status'),
			'system/status'
		);
	}

	/** `GET /api/v3/qualityprofile` (QualityProfileResource list; malformed ones skipped and counted). */
	async listQualityProfiles(): Promise<Parsed<MirrorQualityProfile>> {
		const parsed = parseList(
			QualityProfileSchema,
			await this.http.request('GET', '/api/v3/qualityprofile'),
			'qualityprofile'
		);
		return {
			...parsed,
			items: parsed.items.map((p) => ({
				arrId: p.id,
				name: p.name ?? '',
				upgradeAllowed: p.upgradeAllowed,
				cutoff: p.cutoff,
				cutoffFormatScore: p.cutoffFormatScore,
				minFormatScore: p.minFormatScore
			}))
		};
	}

	/** `GET /api/v3/tag` (TagResource list). */
	async listTags(): Promise<Parsed<MirrorTag>> {
		const parsed = parseList(TagSchema, await this.http.request('GET', '/api/v3/tag'), 'tag');
		return { ...parsed, items: parsed.items.map((t) => ({ arrId: t.id, label: t.label ?? '' })) };
	}

	/**
	 * `GET /api/v3/history/since?date=` (HistoryResource, without the embedded series/episode/
	 * movie), streamed in batches: everything the app recorded at or after `since` (grabs, imports,
	 * deleted and renamed files), or only the records of one `eventType` (EpisodeHistoryEventType /
	 * MovieHistoryEventType name, e.g. `grabbed`: a release a search or RSS sent to the download
	 * client, one record per episode it covers).
	 */
	async *historySince(
		since: Date,
		options: { eventType?: 'grabbed' } = {}
	): AsyncGenerator<Parsed<HistoryRecord>> {
		for await (const batch of this.http.streamList('/api/v3/history/since', {
			query: { date: since.toISOString(), eventType: options.eventType },
			library: true
		})) {
			const parsed = parseList(HistorySchema, batch, 'history');
			yield {
				...parsed,
				items: parsed.items.map((h) => ({
					eventType: h.eventType,
					date: h.date,
					arrSeriesId: h.seriesId,
					arrEpisodeId: h.episodeId,
					arrMovieId: h.movieId
				}))
			};
		}
	}

	/** `GET /api/v3/health` → the app's own warnings (malformed entries skipped). */
	async getHealth(): Promise<HealthItem[]> {
		return parseList(HealthItemSchema, await this.http.request('GET', '/api/v3/health'), 'health')
			.items;
	}

	/**
	 * `POST /api/v3/command` with a flat body `{name, ...props}`; the app answers 201 with the
	 * CommandResource (or the existing one when an identical command is already queued).
	 * @throws Error if asked to send anything but EpisodeSearch / SeasonSearch / MoviesSearch.
	 */
	async postCommand(command: SearchCommand): Promise<ArrCommand> {
		if (!ALLOWED_COMMANDS.has(command.name)) {
			throw new Error(
				`refusing to send command ${command.name}: only targeted searches are allowed`
			);
		}
		const body = await this.http.request('POST', '/api/v3/command', {
			body: command,
			idempotent: false
		});
		return parseOne(CommandSchema, body, 'command');
	}

	/** `GET /api/v3/command/{id}`; null once the app has trimmed it (404). */
	async getCommand(commandId: number): Promise<ArrCommand | null> {
		try {
			return parseOne(
				CommandSchema,
				await this.http.request('GET', `/api/v3/command/${commandId}`),
				'command'
			);
		} catch (error) {
			if (error instanceof ArrApiError && error.kind === 'not_found') return null;
			throw error;
		}
	}

	/** `GET /api/v3/command`: the app's in-memory command list (finished ones drop off after ~5 min). */
	async listCommands(): Promise<ArrCommand[]> {
		return parseList(
			CommandSchema,
			await this.http.request('GET', '/api/v3/command'),
			'command list'
		).items;
	}

	/**
	 * `GET /api/v3/queue/status` (QueueStatusResource): how many items the app's download queue
	 * holds (`totalCount`), for the dispatcher's backpressure.
	 * @throws ArrApiError (e.g. `invalid_response` when `totalCount` is missing)
	 */
	async getQueueStatus(): Promise<QueueStatus> {
		return parseOne(
			QueueStatusSchema,
			await this.http.request('GET', '/api/v3/queue/status'),
			'queue/status'
		);
	}
}
