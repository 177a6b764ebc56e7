/**
 * One simulated Sonarr, Radarr, Whisparr v2 (Sonarr-shaped) or Whisparr v3 (Radarr-shaped) living
 * under a URL base: authentication, request recording, fault injection, the endpoints all apps
 * share (ping, system/status, health, qualityprofile, tag, rootfolder, command) and delegation to
 * the app-specific module.
 */
import { CommandQueue, commandResource, type SimCommand } from './commands';
import type { SimHistoryItem } from './history';
import { resolveAvailability, type SimAvailability } from './availability';
import {
	RADARR_PROFILES,
	RADARR_QUALITIES,
	SONARR_PROFILES,
	SONARR_QUALITIES,
	type SimEpisode,
	type SimEpisodeFile,
	type SimMovie,
	type SimMovieFile,
	type SimQualityProfile,
	type SimSeries
} from './library';
import { RadarrApp, whisparrV3Quality, type MovieFileSpec } from './radarr';
import { SonarrApp, type EpisodeFileSpec } from './sonarr';
import type { MovieShape, SeriesShape } from './library';
import { DEFAULT_VERSIONS, hasLastSearchTime, type SimAppType } from './versions';
import {
	jsonResponse,
	notFound,
	problemDetails,
	wireDate,
	type Json,
	type JsonObject
} from './wire';

export type { SimAppType } from './versions';

const APP_TYPES: readonly SimAppType[] = ['sonarr', 'radarr', 'whisparr-v2', 'whisparr-v3'];

/** A `timeout` fault answers nothing for at most this long (then 504), unless the client gives up first. */
export const FAULT_TIMEOUT_CAP_MS = 120_000;

/** Options of one simulated instance (see README.md). */
export interface SimInstanceOptions {
	type: SimAppType;
	/** e.g. '/sonarr' ('' allowed); all routes live under it, including /ping. */
	urlBase: string;
	/** 32 hex chars typically. */
	apiKey: string;
	/** Deterministic generation (default 1). */
	seed?: number;
	/** Sonarr / Whisparr v2: number of series (sites) to generate (default 20). */
	series?: number;
	/** Radarr / Whisparr v3: number of movies (movies and scenes) to generate (default 50). */
	movies?: number;
	/**
	 * Reported in system/status; default '4.0.19.2979' (Sonarr), '6.0.4.10291' (Radarr),
	 * '2.0.0.1000' (Whisparr v2), '3.2.0.27' (Whisparr v3). Steers `lastSearchTime`: Sonarr
	 * ≥ 4.0.9.2332 and Radarr ≥ 5.10.3.9178 write it (see versions.ts).
	 */
	version?: string;
	/**
	 * Whisparr v3 only: serve wanted/missing and wanted/cutoff like the builds after 2025-11-17
	 * (default false: 404, as in the released v3.2.0 builds). The other apps always serve them.
	 */
	wantedEndpoints?: boolean;
	/** 0..1 share of searched wanted items that gain a file (or meet the cutoff) when a search completes; default 0.3. */
	grabRate?: number;
	/** Milliseconds a command spends 'started' before 'completed'; default 300. */
	commandDurationMs?: number;
	/** Clock for air dates, availability, command lifecycle and request timestamps (default real clock). */
	now?: () => Date;
	/**
	 * Sonarr / Whisparr v2: the shape of every generated series (e.g. `{seasons: 5,
	 * episodesPerSeason: 20}` for a library of a known size); default drawn per series.
	 */
	seriesShape?: SeriesShape;
	/**
	 * Sonarr / Whisparr v2: the opt-in availability model (README "Availability",
	 * availability.ts), which replaces `grabRate`: findability falling with age, seeded season
	 * packs. Default off.
	 */
	availability?: SimAvailability;
}

/** Options after defaults; `apiKey` follows {@link SimInstance.setApiKey}. */
export interface ResolvedSimInstanceOptions {
	type: SimAppType;
	urlBase: string;
	apiKey: string;
	seed: number;
	series: number;
	movies: number;
	version: string;
	grabRate: number;
	commandDurationMs: number;
	now: () => Date;
	/** Whether wanted/* is served (always true except Whisparr v3 without the option). */
	wantedEndpoints: boolean;
}

/** One request received by an instance. */
export interface RecordedRequest {
	/** The instance's urlBase. */
	instance: string;
	method: string;
	/** Path after urlBase, e.g. '/api/v3/series'. */
	path: string;
	/** Query parameters as sent (names not lower-cased), repeated keys kept in order. */
	query: Record<string, string[]>;
	/** Header names lower-cased, values exactly as received (the X-Api-Key value is not redacted). */
	headers: Record<string, string>;
	/** Parsed JSON body, the raw text when it is not JSON, or null when empty. */
	body: unknown;
	/**
	 * Response status: 0 while the response is still being produced (e.g. during a fault delay) and
	 * when the client gave up before the answer (e.g. a `timeout` fault).
	 */
	status: number;
	/** When the request arrived, ms epoch of the instance clock. */
	at: number;
}

/** A fault injected for requests whose path (after urlBase) starts with a prefix. */
/** The QualityProfileResource fields a test may change (see SimInstance.setQualityProfile). */
export interface QualityProfilePatch {
	upgradeAllowed?: boolean;
	cutoff?: number;
	cutoffFormatScore?: number;
	minFormatScore?: number;
	name?: string;
}

export interface SimFault {
	/**
	 * Status to answer with (default 200 when `body` is given). Without `body` the answer is empty
	 * with no content type, e.g. `{status: 401}` is exactly the apps' 401.
	 */
	status?: number;
	/** Raw response body (e.g. '{"broken":' for malformed JSON); default empty. */
	body?: string;
	/** Delay before answering (ms). Alone, it delays the normal response. */
	delayMs?: number;
	/** How many requests get the fault (default unlimited), e.g. `{status: 500, times: 2}` then recovery. */
	times?: number;
	/**
	 * Response headers added to the fault's answer, e.g. `{status: 429, headers: {'Retry-After': '1'}}`.
	 * Without `status`/`body` they are added to the normal answer.
	 */
	headers?: Record<string, string>;
	/**
	 * Hold the request open without answering until the client gives up (aborts or disconnects),
	 * at most {@link FAULT_TIMEOUT_CAP_MS} (then `status` or 504, empty). `stop()` releases it.
	 */
	timeout?: true;
	/** Only requests of this method get the fault (e.g. `POST` on `/api/v3/command`); default any. */
	method?: string;
}

/** A health check result as returned by GET /api/v3/health. */
export interface SimHealthItem {
	source: string;
	type: 'ok' | 'notice' | 'warning' | 'error';
	message: string;
	wikiUrl?: string;
}

/** Normalizes a URL base: '' or '/x' without a trailing slash. */
export function normalizeUrlBase(urlBase: string): string {
	const trimmed = urlBase.trim().replace(/\/+$/, '');
	if (trimmed === '') {
		return '';
	}
	return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/** Hooks the instance needs from the server (the shared request log and sleeping). */
export interface InstanceHost {
	record(req: RecordedRequest): void;
	/** Resolves after `ms`, when `signal` aborts, or when the server stops, whichever is first. */
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
	origin(): string;
	forgetRequests(instance: SimInstance): void;
}

/**
 * A simulated Sonarr, Radarr, Whisparr v2 or Whisparr v3. Whisparr v2 uses the Sonarr members
 * (`series` = sites, `episodes` = scenes), Whisparr v3 the Radarr ones (`movies` = movies and
 * scenes). The library arrays are live: mutate them through the helpers (or call
 * {@link SimInstance.reindex} after pushing/removing by hand). Accessors first apply every command
 * transition due at the current clock (lazy lifecycle, see commands.ts).
 */
export class SimInstance {
	readonly options: ResolvedSimInstanceOptions;
	/** Requests this instance received, in order. */
	readonly requests: RecordedRequest[] = [];
	private readonly sonarr: SonarrApp | null;
	private readonly radarr: RadarrApp | null;
	private readonly queue: CommandQueue;
	private faults: Array<{ prefix: string; fault: SimFault; remaining: number }> = [];
	private health: SimHealthItem[] = [];
	private readonly profilePatches = new Map<number, QualityProfilePatch>();
	private tagList: { id: number; label: string }[] = [];
	/** Items in the download queue as GET /api/v3/queue/status reports them (`setDownloadQueue`). */
	private downloadQueue = { count: 0, unknownCount: 0 };
	private startTime: Date;

	constructor(
		opts: SimInstanceOptions,
		private readonly host: InstanceHost
	) {
		const type = opts.type;
		if (!APP_TYPES.includes(type)) {
			throw new Error(`arr-sim: unknown instance type ${String(type)}`);
		}
		this.options = {
			type,
			urlBase: normalizeUrlBase(opts.urlBase),
			apiKey: opts.apiKey,
			seed: opts.seed ?? 1,
			series: opts.series ?? 20,
			movies: opts.movies ?? 50,
			version: opts.version ?? DEFAULT_VERSIONS[type],
			grabRate: Math.min(1, Math.max(0, opts.grabRate ?? 0.3)),
			commandDurationMs: Math.max(0, opts.commandDurationMs ?? 300),
			now: opts.now ?? (() => new Date()),
			wantedEndpoints: type === 'whisparr-v3' ? (opts.wantedEndpoints ?? false) : true
		};
		const settings = {
			seed: this.options.seed,
			series: this.options.series,
			movies: this.options.movies,
			grabRate: this.options.grabRate,
			urlBase: this.options.urlBase,
			now: this.options.now,
			lastSearchTime: hasLastSearchTime(type, this.options.version),
			wantedEndpoints: this.options.wantedEndpoints,
			shape: opts.seriesShape ?? {},
			availability: opts.availability ? resolveAvailability(opts.availability) : null
		};
		const sonarrShaped = type === 'sonarr' || type === 'whisparr-v2';
		this.sonarr = sonarrShaped
			? new SonarrApp({ ...settings, flavor: type === 'whisparr-v2' ? 'whisparr-v2' : 'sonarr' })
			: null;
		this.radarr = sonarrShaped
			? null
			: new RadarrApp({ ...settings, flavor: type === 'whisparr-v3' ? 'whisparr-v3' : 'radarr' });
		const app = this.sonarr ?? this.radarr;
		if (!app) {
			throw new Error('arr-sim: no app');
		}
		this.queue = new CommandQueue(app.commandDefs, app.executor, {
			durationMs: this.options.commandDurationMs,
			typeExclusiveFlag: !sonarrShaped
		});
		this.startTime = this.options.now();
		app.generate();
	}

	/** `sim.url + urlBase`, e.g. 'http://127.0.0.1:43123/sonarr'. */
	get baseUrl(): string {
		return this.host.origin() + this.options.urlBase;
	}

	/** The instance clock in ms. */
	nowMs(): number {
		return this.options.now().getTime();
	}

	/** Applies every command transition due now (called by every request and accessor). */
	tick(): void {
		this.queue.advance(this.nowMs());
	}

	private requireSonarr(): SonarrApp {
		if (!this.sonarr) {
			throw new Error(
				`arr-sim: ${this.options.urlBase || '/'} is a ${this.options.type} instance, not sonarr or whisparr-v2`
			);
		}
		return this.sonarr;
	}

	private requireRadarr(): RadarrApp {
		if (!this.radarr) {
			throw new Error(
				`arr-sim: ${this.options.urlBase || '/'} is a ${this.options.type} instance, not radarr or whisparr-v3`
			);
		}
		return this.radarr;
	}

	// ---- live library --------------------------------------------------------------------

	/** Sonarr series / Whisparr v2 sites (empty array on Radarr-shaped apps). */
	get series(): SimSeries[] {
		this.tick();
		return this.sonarr?.series ?? [];
	}
	/** Sonarr episodes / Whisparr v2 scenes (`airDate` = releaseDate; empty on Radarr-shaped apps). */
	get episodes(): SimEpisode[] {
		this.tick();
		return this.sonarr?.episodes ?? [];
	}
	/** Sonarr / Whisparr v2 episode files (empty array on Radarr-shaped apps). */
	get episodeFiles(): SimEpisodeFile[] {
		this.tick();
		return this.sonarr?.episodeFiles ?? [];
	}
	/** Radarr movies / Whisparr v3 movies and scenes (`itemType`; empty on Sonarr-shaped apps). */
	get movies(): SimMovie[] {
		this.tick();
		return this.radarr?.movies ?? [];
	}
	/** Radarr / Whisparr v3 movie files (empty array on Sonarr-shaped apps). */
	get movieFiles(): SimMovieFile[] {
		this.tick();
		return this.radarr?.movieFiles ?? [];
	}
	/** The app's history records (`GET /api/v3/history/since`), oldest first; live array. */
	get history(): SimHistoryItem[] {
		this.tick();
		return (this.sonarr ?? this.radarr)?.history.items ?? [];
	}

	/** Every command ever created on this instance, ascending id, with current status. */
	get commands(): SimCommand[] {
		this.tick();
		return this.queue.all;
	}

	/** Commands whose name matches case-insensitively (e.g. 'EpisodeSearch'). */
	commandsByName(name: string): SimCommand[] {
		const n = name.toLowerCase();
		return this.commands.filter((c) => c.name.toLowerCase() === n);
	}

	/**
	 * `totalRecords` of GET /api/v3/wanted/missing?monitored=true right now (for a Whisparr v3
	 * without wanted endpoints: what it would be).
	 */
	wantedMissingTotal(): number {
		this.tick();
		const now = this.nowMs();
		return this.sonarr
			? this.sonarr.wanted('missing', true, now).length
			: this.requireRadarr().wanted('missing', true, now).length;
	}

	/** `totalRecords` of GET /api/v3/wanted/cutoff?monitored=true right now. */
	wantedCutoffTotal(): number {
		this.tick();
		const now = this.nowMs();
		return this.sonarr
			? this.sonarr.wanted('cutoff', true, now).length
			: this.requireRadarr().wanted('cutoff', true, now).length;
	}

	/** Episodes (scenes) currently in wanted/missing (or cutoff) with the given monitored filter, airDateUtc order. */
	wantedEpisodes(kind: 'missing' | 'cutoff', monitored = true): SimEpisode[] {
		this.tick();
		return this.requireSonarr().wanted(kind, monitored, this.nowMs());
	}

	/** Movies currently in wanted/missing (or cutoff) with the given monitored filter, id order. */
	wantedMovies(kind: 'missing' | 'cutoff', monitored = true): SimMovie[] {
		this.tick();
		return this.requireRadarr().wanted(kind, monitored, this.nowMs());
	}

	// ---- mutators ------------------------------------------------------------------------

	/** Removes a Sonarr series with its episodes and files. @returns false when unknown */
	removeSeries(id: number): boolean {
		this.tick();
		return this.requireSonarr().removeSeries(id);
	}

	/** Removes a Radarr movie with its file. @returns false when unknown */
	removeMovie(id: number): boolean {
		this.tick();
		return this.requireRadarr().removeMovie(id);
	}

	/** Replaces/creates (`{cutoffNotMet}`) or deletes (`null`) an episode's file. @throws for an unknown episode */
	setEpisodeFile(episodeId: number, file: EpisodeFileSpec | null): SimEpisodeFile | null {
		this.tick();
		return this.requireSonarr().setEpisodeFile(episodeId, file);
	}

	/** Replaces/creates (`{cutoffNotMet}`) or deletes (`null`) a movie's file. @throws for an unknown movie */
	setMovieFile(movieId: number, file: MovieFileSpec | null): SimMovieFile | null {
		this.tick();
		return this.requireRadarr().setMovieFile(movieId, file);
	}

	/** Adds the next seeded series with overrides; `shape` steers its episodes. @returns the new series */
	addSeries(
		overrides: Partial<Omit<SimSeries, 'id' | 'seasons'>> = {},
		shape: SeriesShape = {}
	): SimSeries {
		this.tick();
		return this.requireSonarr().addSeries(overrides, shape);
	}

	/** Adds the next seeded movie with overrides; `shape` steers dates and file. @returns the new movie */
	addMovie(
		overrides: Partial<Omit<SimMovie, 'id' | 'movieFileId'>> = {},
		shape: MovieShape = {}
	): SimMovie {
		this.tick();
		return this.requireRadarr().addMovie(overrides, shape);
	}

	/**
	 * Availability model only (Sonarr): whether the episode is findable now (see availability.ts).
	 * @throws without the model
	 */
	findable(episodeId: number): boolean {
		this.tick();
		return this.requireSonarr().findable(episodeId, this.options.now());
	}

	/** Availability model only (Sonarr): whether a season pack exists now. @throws without the model */
	seasonPackAvailable(seriesId: number, seasonNumber: number): boolean {
		this.tick();
		return this.requireSonarr().seasonPackAvailable(seriesId, seasonNumber, this.options.now());
	}

	/**
	 * Availability model only (Sonarr): whether a season search would grab the season's pack now —
	 * it exists and no file of the season is at or above the cutoff (see availability.ts
	 * `packNeedsUpgradableFiles`). @throws without the model
	 */
	seasonPackAccepted(seriesId: number, seasonNumber: number): boolean {
		this.tick();
		return this.requireSonarr().seasonPackAccepted(seriesId, seasonNumber, this.options.now());
	}

	/** Episodes of one series, season/episode order (Sonarr). */
	episodesOf(seriesId: number): SimEpisode[] {
		this.tick();
		return this.requireSonarr().episodesOf(seriesId);
	}

	/** Rebuild indexes after changing library arrays or air dates by hand. */
	reindex(): void {
		this.sonarr?.reindex();
		this.radarr?.reindex();
	}

	/** Changes the accepted API key (`options.apiKey` follows). */
	setApiKey(key: string): void {
		this.options.apiKey = key;
	}

	/**
	 * Changes a quality profile as GET /api/v3/qualityprofile reports it (e.g. `{cutoff: 7}`).
	 * The files' `qualityCutoffNotMet` is stored per file: change those too, as the app would.
	 */
	setQualityProfile(id: number, patch: QualityProfilePatch): void {
		this.profilePatches.set(id, { ...this.profilePatches.get(id), ...patch });
	}

	/** Sets what GET /api/v3/tag returns (default `[]`); series and movies carry the ids in `tags`. */
	setTags(list: { id: number; label: string }[]): void {
		this.tagList = list.map((t) => ({ ...t }));
	}

	/** Sets what GET /api/v3/health returns (default `[]`); also `POST /__sim/health`. */
	setHealth(items: SimHealthItem[]): void {
		this.health = items.map((i) => ({ ...i }));
	}

	/**
	 * Sets how many items the app's download queue holds, as `GET /api/v3/queue/status` reports
	 * them (`totalCount` = `count` + `unknownCount`; default 0 and 0); also `POST /__sim/queue-status`.
	 */
	setDownloadQueue(count: number, unknownCount = 0): void {
		this.downloadQueue = { count, unknownCount };
	}

	/**
	 * Injects a fault for requests whose path after urlBase starts with `pathPrefix`
	 * (longest prefix wins; applied before authentication). `null` removes it.
	 * @example inst.setFault('/api/v3/wanted', { status: 429, headers: { 'Retry-After': '1' }, times: 1 })
	 */
	setFault(pathPrefix: string, fault: SimFault | null): void {
		this.faults = this.faults.filter((f) => f.prefix !== pathPrefix);
		if (fault) {
			const copy: SimFault = { ...fault };
			if (fault.headers) {
				copy.headers = { ...fault.headers };
			}
			this.faults.push({ prefix: pathPrefix, fault: copy, remaining: fault.times ?? Infinity });
			this.faults.sort((a, b) => b.prefix.length - a.prefix.length);
		}
	}

	/** Removes every fault. */
	clearFaults(): void {
		this.faults = [];
	}

	/**
	 * Back to the initial state: library regenerated from the seed (against the current clock),
	 * commands, requests, faults and health cleared. The API key is kept.
	 */
	reset(): void {
		this.queue.reset();
		this.sonarr?.generate();
		this.radarr?.generate();
		this.faults = [];
		this.health = [];
		this.profilePatches.clear();
		this.tagList = [];
		this.downloadQueue = { count: 0, unknownCount: 0 };
		this.requests.length = 0;
		this.host.forgetRequests(this);
		this.startTime = this.options.now();
	}

	/** Summary used by GET /__sim/state. */
	state(): JsonObject {
		return {
			urlBase: this.options.urlBase,
			type: this.options.type,
			apiKey: this.options.apiKey,
			wantedMissing: this.wantedMissingTotal(),
			wantedCutoff: this.wantedCutoffTotal(),
			commands: this.commands.map((c) => ({
				id: c.id,
				name: c.name,
				body: c.body,
				status: c.status
			}))
		};
	}

	// ---- HTTP ----------------------------------------------------------------------------

	/**
	 * Handles a request whose path starts with this instance's urlBase.
	 * @param path the path after urlBase ('' counts as '/')
	 */
	async handle(req: Request, url: URL, path: string): Promise<Response> {
		const query: Record<string, string[]> = {};
		for (const [k, v] of url.searchParams) {
			(query[k] ??= []).push(v);
		}
		const headers: Record<string, string> = {};
		req.headers.forEach((value, key) => {
			headers[key.toLowerCase()] = value;
		});
		const text = req.method === 'GET' || req.method === 'HEAD' ? '' : await req.text();
		let body: unknown = null;
		let malformed = false;
		if (text !== '') {
			try {
				body = JSON.parse(text) as unknown;
			} catch {
				body = text;
				malformed = true;
			}
		}
		const record: RecordedRequest = {
			instance: this.options.urlBase,
			method: req.method,
			path: path === '' ? '/' : path,
			query,
			headers,
			body,
			status: 0,
			at: this.nowMs()
		};
		this.requests.push(record);
		this.host.record(record);
		const res = await this.respond(req, record, text, malformed);
		record.status = req.signal.aborted ? 0 : res.status;
		return res;
	}

	private async respond(
		req: Request,
		rec: RecordedRequest,
		text: string,
		malformed: boolean
	): Promise<Response> {
		const entry = this.faults.find(
			(f) =>
				rec.path.startsWith(f.prefix) &&
				f.remaining > 0 &&
				(f.fault.method === undefined || f.fault.method.toUpperCase() === req.method)
		);
		if (!entry) {
			return this.respondNormally(req, rec, text, malformed);
		}
		entry.remaining--;
		if (entry.remaining <= 0) {
			this.faults = this.faults.filter((f) => f !== entry);
		}
		const fault = entry.fault;
		if (fault.timeout) {
			// Answer nothing: wait for the client to give up (or the cap, or stop()).
			await this.host.sleep(FAULT_TIMEOUT_CAP_MS, req.signal);
			return new Response(null, { status: fault.status ?? 504, headers: fault.headers ?? {} });
		}
		if (fault.delayMs !== undefined && fault.delayMs > 0) {
			await this.host.sleep(fault.delayMs, req.signal);
		}
		if (fault.status !== undefined || fault.body !== undefined) {
			const body = fault.body ?? '';
			const headers: Record<string, string> =
				body === '' ? {} : { 'content-type': 'application/json; charset=utf-8' };
			return new Response(body === '' ? null : body, {
				status: fault.status ?? 200,
				headers: { ...headers, ...fault.headers }
			});
		}
		const res = await this.respondNormally(req, rec, text, malformed);
		for (const [name, value] of Object.entries(fault.headers ?? {})) {
			res.headers.set(name, value);
		}
		return res;
	}

	private async respondNormally(
		req: Request,
		rec: RecordedRequest,
		text: string,
		malformed: boolean
	): Promise<Response> {
		const path = rec.path.toLowerCase().replace(/\/+$/, '') || '/';
		if (path === '/ping') {
			// Whisparr v2 maps GET only (README §2); the others answer HEAD too.
			const head = req.method === 'HEAD' && this.options.type !== 'whisparr-v2';
			if (req.method !== 'GET' && !head) {
				return new Response(null, { status: 405 });
			}
			return jsonResponse({ status: 'OK' });
		}
		if (!this.authorized(rec)) {
			return new Response(null, { status: 401 });
		}
		this.tick();
		if (path === '/api') {
			return jsonResponse({ current: 'v3', deprecated: [] });
		}
		if (!path.startsWith('/api/v3/')) {
			return new Response(null, { status: 404 });
		}
		const segments = path.slice('/api/v3/'.length).split('/');
		const lowerQuery: Record<string, string[]> = {};
		for (const [k, v] of Object.entries(rec.query)) {
			(lowerQuery[k.toLowerCase()] ??= []).push(...v);
		}
		const nowMs = this.nowMs();
		if (malformed) {
			return problemDetails({
				$: [
					`'${text.slice(0, 1)}' is an invalid start of a value. Path: $ | LineNumber: 0 | BytePositionInLine: 0.`
				]
			});
		}
		const shared = this.handleShared(req.method, segments, rec, nowMs);
		if (shared) {
			return shared;
		}
		const app = this.sonarr ?? this.radarr;
		const res = app?.handle({ method: req.method, segments, query: lowerQuery, nowMs });
		return res ?? new Response(null, { status: 404 });
	}

	/** API key from `apikey` query, else `X-Api-Key`, else `Authorization: Bearer` (README §5). */
	private authorized(rec: RecordedRequest): boolean {
		let key: string | undefined;
		for (const [k, v] of Object.entries(rec.query)) {
			if (k.toLowerCase() === 'apikey') {
				key = v[0];
				break;
			}
		}
		if (key === undefined) {
			key = rec.headers['x-api-key'];
		}
		if (key === undefined) {
			const auth = rec.headers.authorization;
			const m = auth ? /^Bearer\s+(.+)$/i.exec(auth) : null;
			key = m?.[1]?.trim();
		}
		return key !== undefined && key !== '' && key === this.options.apiKey;
	}

	private handleShared(
		method: string,
		segments: string[],
		rec: RecordedRequest,
		nowMs: number
	): Response | null {
		const [a, b, c] = segments;
		const isGet = method === 'GET' || method === 'HEAD';
		if (c !== undefined) {
			return null;
		}
		if (a === 'system' && b === 'status' && isGet) {
			return jsonResponse(this.systemStatus());
		}
		if (a === 'health' && b === undefined && isGet) {
			return jsonResponse(
				this.health.map((h) => ({
					source: h.source,
					type: h.type,
					message: h.message,
					wikiUrl: h.wikiUrl
				}))
			);
		}
		if (a === 'queue' && b === 'status' && isGet) {
			// QueueStatusResource (QueueStatusController): counts of the download queue, no id.
			const { count, unknownCount } = this.downloadQueue;
			return jsonResponse({
				totalCount: count + unknownCount,
				count,
				unknownCount,
				errors: false,
				warnings: false,
				unknownErrors: false,
				unknownWarnings: false
			});
		}
		if (a === 'qualityprofile' && isGet) {
			const profiles = this.qualityProfiles();
			if (b === undefined) {
				return jsonResponse(profiles);
			}
			const profile = profiles.find((p) => p.id === Number(b));
			return profile ? jsonResponse(profile) : notFound();
		}
		if (a === 'tag' && b === undefined && isGet) {
			return jsonResponse(this.tagList.map((t) => ({ label: t.label, id: t.id })));
		}
		if (a === 'rootfolder' && b === undefined && isGet) {
			const path = {
				sonarr: '/tv',
				radarr: '/movies',
				'whisparr-v2': '/sites',
				'whisparr-v3': '/scenes'
			}[this.options.type];
			return jsonResponse([
				{ path, accessible: true, freeSpace: 1_099_511_627_776, unmappedFolders: [], id: 1 }
			]);
		}
		if (a === 'command') {
			if (b === undefined && method === 'POST') {
				const result = this.queue.submit(rec.body, rec.headers['user-agent'] ?? null, nowMs);
				if (!result.ok) {
					return result.response;
				}
				// Source: CommandController.StartCommand → Created(id): 201 + Location.
				return jsonResponse(commandResource(result.command), 201, {
					location: `${this.options.urlBase}/api/v3/command/${result.command.id}`
				});
			}
			if (b === undefined && isGet) {
				return jsonResponse(this.queue.list(nowMs).map(commandResource));
			}
			if (b !== undefined && isGet) {
				const cmd = this.queue.get(Number(b));
				return cmd ? jsonResponse(commandResource(cmd)) : notFound();
			}
			return new Response(null, { status: 405 });
		}
		return null;
	}

	private systemStatus(): JsonObject {
		const type = this.options.type;
		const sonarr = type === 'sonarr' || type === 'whisparr-v2';
		const appName = {
			sonarr: 'Sonarr',
			radarr: 'Radarr',
			'whisparr-v2': 'Whisparr',
			'whisparr-v3': 'Whisparr'
		}[type];
		return {
			appName,
			instanceName: appName,
			version: this.options.version,
			buildTime: '2025-06-01T12:00:00Z',
			isDebug: false,
			isProduction: true,
			isAdmin: false,
			isUserInteractive: false,
			startupPath: `/app/${appName.toLowerCase()}/bin`,
			appData: '/config',
			osName: 'ubuntu',
			osVersion: '24.04',
			isNetCore: true,
			isLinux: true,
			isOsx: false,
			isWindows: false,
			isDocker: true,
			mode: 'console',
			branch: { sonarr: 'main', radarr: 'master', 'whisparr-v2': 'v2', 'whisparr-v3': 'eros' }[
				type
			],
			databaseType: 'sqLite',
			databaseVersion: '3.46.1',
			authentication: 'none',
			migrationVersion: sonarr ? 219 : 242,
			urlBase: this.options.urlBase,
			runtimeVersion: '8.0.12',
			runtimeName: '.NET',
			startTime: wireDate(this.startTime),
			packageVersion: this.options.version,
			packageAuthor: '[arr-sim](https://example.invalid)',
			packageUpdateMechanism: 'docker'
		};
	}

	/**
	 * The two quality profiles as `QualityProfileResource` (cutoff = a quality or group id).
	 * Whisparr has no `minUpgradeFormatScore`; Whisparr v3 qualities have no `modifier`.
	 */
	qualityProfiles(): Array<JsonObject & { id: number }> {
		const type = this.options.type;
		const radarr = type === 'radarr' || type === 'whisparr-v3';
		const whisparr = type === 'whisparr-v2' || type === 'whisparr-v3';
		const qualities = radarr ? RADARR_QUALITIES : SONARR_QUALITIES;
		const profiles: readonly SimQualityProfile[] = radarr ? RADARR_PROFILES : SONARR_PROFILES;
		const qualityJson = (id: number): Json => {
			const q = qualities.get(id);
			if (!q) {
				return { id, name: 'Unknown', source: 'unknown', resolution: 0 };
			}
			if (type === 'whisparr-v3') {
				return whisparrV3Quality(q);
			}
			return radarr
				? {
						id: q.id,
						name: q.name,
						source: q.source,
						resolution: q.resolution,
						modifier: q.modifier ?? 'none'
					}
				: { id: q.id, name: q.name, source: q.source, resolution: q.resolution };
		};
		return profiles.map((p) => ({
			name: p.name,
			upgradeAllowed: true,
			cutoff: p.cutoff,
			items: p.items.map((item): JsonObject =>
				'groupId' in item
					? {
							name: item.name,
							items: item.qualityIds.map((qid) => ({
								quality: qualityJson(qid),
								items: [],
								allowed: item.allowed
							})),
							allowed: item.allowed,
							id: item.groupId
						}
					: { quality: qualityJson(item.qualityId), items: [], allowed: item.allowed }
			),
			minFormatScore: 0,
			cutoffFormatScore: 0,
			minUpgradeFormatScore: whisparr ? undefined : 1,
			formatItems: [],
			...(radarr ? { language: { id: 1, name: 'English' } } : {}),
			...this.profilePatches.get(p.id),
			id: p.id
		}));
	}
}
