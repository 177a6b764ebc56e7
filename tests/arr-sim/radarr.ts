/**
 * Radarr v6 (API v3) behaviour of the simulator: library state, resources, the movie/moviefile/
 * wanted endpoints and the effects of search commands. The same class plays Whisparr v3 "Eros"
 * (`flavor: 'whisparr-v3'`, a Radarr fork with movies and scenes) with the shapes of its (stale)
 * spec: see {@link RadarrApp.movieResource}.
 *
 * Rules reproduced from Radarr:
 * - `isAvailable` (Movie.IsAvailable, delay 0): minimumAvailability `tba`/`announced` → always;
 *   `inCinemas` with an inCinemas date → inCinemas <= now; otherwise (`released`, or `inCinemas`
 *   without a date) the earlier of digitalRelease/physicalRelease, else inCinemas + 90 days, must
 *   be <= now (never available with no dates at all).
 * - `status` (what TMDB would say): `released` when a digital/physical release (or inCinemas + 90
 *   days when neither is known) has passed, `inCinemas` when inCinemas has passed, `announced`
 *   when some date is known, else `tba`.
 * - wanted/missing, monitored=true: monitored, no file, available. wanted/cutoff, monitored=true:
 *   monitored, has a file with `qualityCutoffNotMet`. monitored=false selects unmonitored movies.
 * - Whisparr v3: same rules. Its released builds before 2025-11-17 have no wanted endpoints
 *   (404); `wantedEndpoints: true` emulates later builds. Scenes are generated with a single
 *   release date (`digitalRelease`) and minimumAvailability `released`.
 */
import type { CommandDef, CommandExecutor, CommandOutcome, SimCommand } from './commands';
import {
	anchorOf,
	generateMovie,
	type SimQuality,
	hashInts,
	hashUnit,
	makeMovieFile,
	newCounters,
	RADARR_QUALITIES,
	Rng,
	type IdCounters,
	type MovieShape,
	type SimMovie,
	type SimMovieFile
} from './library';
import { RADARR_HISTORY_EVENTS, SimHistory } from './history';
import { notFoundOutcome, removeWhere } from './sonarr';
import {
	badQueryValue,
	errorResponse,
	jsonResponse,
	mediaCover,
	notFound,
	pageOf,
	parsePaging,
	queryBool,
	queryInt,
	queryIntList,
	wireDate,
	type AppRequest,
	type JsonObject
} from './wire';

const DAY = 86_400_000;
const TMDB = 'https://image.tmdb.org/t/p/original';

/** Radarr command classes the simulator knows (name → own properties). */
export const RADARR_COMMANDS: readonly CommandDef[] = [
	def('MoviesSearch', [{ name: 'movieIds', type: 'int[]' }], true),
	def(
		'MissingMoviesSearch',
		[
			{ name: 'filterKey', type: 'string' },
			{ name: 'filterValue', type: 'string' }
		],
		true
	),
	def(
		'CutoffUnmetMoviesSearch',
		[
			{ name: 'filterKey', type: 'string' },
			{ name: 'filterValue', type: 'string' }
		],
		true
	),
	{
		name: 'RefreshMovie',
		props: [
			{ name: 'movieIds', type: 'int[]', default: [] },
			{ name: 'isNewMovie', type: 'bool', default: false }
		],
		sendUpdatesToClient: true,
		updateScheduledTask: (p) => !Array.isArray(p.movieIds) || p.movieIds.length === 0,
		isLongRunning: true,
		isExclusive: false,
		requiresDiskAccess: false
	},
	def('RescanMovie', [{ name: 'movieId', type: 'int' }], true),
	{ ...def('RssSync', [], true), isLongRunning: true }
];

function def(name: string, props: CommandDef['props'], sendUpdatesToClient: boolean): CommandDef {
	return {
		name,
		props,
		sendUpdatesToClient,
		updateScheduledTask: true,
		isLongRunning: false,
		isExclusive: false,
		requiresDiskAccess: false
	};
}

/** Settings the Radarr app needs from its instance. */
export interface RadarrSettings {
	seed: number;
	movies: number;
	grabRate: number;
	urlBase: string;
	now: () => Date;
	/** Which Radarr-shaped app to play (default 'radarr'). */
	flavor?: 'radarr' | 'whisparr-v3';
	/** Whether `MovieResource.lastSearchTime` is written (default true; see versions.ts). */
	lastSearchTime?: boolean;
	/** Whether wanted/missing and wanted/cutoff exist (default true; Whisparr v3 before 2025-11 has none). */
	wantedEndpoints?: boolean;
}

/** Whisparr v3 `QualitySource` of a Radarr quality (v3 has Sonarr-style sources and no modifier). */
const WHISPARR_V3_SOURCES: Readonly<Record<string, string>> = {
	webdl: 'web',
	webrip: 'webRip',
	tv: 'television',
	bluray: 'bluray',
	dvd: 'dvd'
};

/** A quality as Whisparr v3 writes it: `{id, name, source, resolution}`, remuxes as `blurayRaw`. */
export function whisparrV3Quality(q: SimQuality): JsonObject {
	const source =
		q.modifier === 'remux' ? 'blurayRaw' : (WHISPARR_V3_SOURCES[q.source] ?? 'unknown');
	return { id: q.id, name: q.name, source, resolution: q.resolution };
}

const WHISPARR_STUDIOS = [
	'Velvet Room',
	'Northern Lights Media',
	'Paper Moon Pictures',
	'Studio Ørsted',
	'Midnight Reel',
	'Crimson Lane',
	'Golden Hour Films'
];

/** A deterministic UUID-shaped id. */
function uuidOf(...values: number[]): string {
	const hex = [0, 1, 2, 3]
		.map((i) =>
			hashInts(...values, i)
				.toString(16)
				.padStart(8, '0')
		)
		.join('');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Fields of a new movie file given to {@link RadarrApp.setMovieFile}. */
export interface MovieFileSpec {
	cutoffNotMet: boolean;
	/** Record a `grabbed` before the import in the history (a search found it). */
	grabbed?: boolean;
}

interface RadarrIndex {
	movieById: Map<number, SimMovie>;
	fileById: Map<number, SimMovieFile>;
	moviesRef: SimMovie[];
	filesRef: SimMovieFile[];
	lengths: [number, number];
}

/** The date Radarr's availability check compares with now, or ±Infinity. */
export function availabilityDate(m: SimMovie): number {
	if (m.minimumAvailability === 'tba' || m.minimumAvailability === 'announced') {
		return -Infinity;
	}
	if (m.minimumAvailability === 'inCinemas' && m.inCinemas) {
		return m.inCinemas.getTime();
	}
	if (m.physicalRelease && m.digitalRelease) {
		return Math.min(m.physicalRelease.getTime(), m.digitalRelease.getTime());
	}
	if (m.physicalRelease) {
		return m.physicalRelease.getTime();
	}
	if (m.digitalRelease) {
		return m.digitalRelease.getTime();
	}
	return m.inCinemas ? m.inCinemas.getTime() + 90 * DAY : Infinity;
}

/**
 * `MovieResource.releaseDate` (ms, or Infinity when unknown): the date availability is judged on,
 * or the earliest known date for `tba`/`announced`.
 */
export function releaseDateOf(m: SimMovie): number {
	const avail = availabilityDate(m);
	if (avail !== -Infinity) {
		return avail;
	}
	return [m.inCinemas, m.digitalRelease, m.physicalRelease]
		.filter((d): d is Date => d !== null)
		.reduce<number>((acc, d) => Math.min(acc, d.getTime()), Infinity);
}

/** Radarr `Movie.IsAvailable()` at `nowMs`. */
export function isAvailable(m: SimMovie, nowMs: number): boolean {
	return availabilityDate(m) <= nowMs;
}

/** The TMDB-like status of a movie at `nowMs`. */
export function movieStatus(
	m: SimMovie,
	nowMs: number
): 'tba' | 'announced' | 'inCinemas' | 'released' {
	const release = m.digitalRelease ?? m.physicalRelease;
	const releasedAt =
		m.digitalRelease && m.physicalRelease
			? Math.min(m.digitalRelease.getTime(), m.physicalRelease.getTime())
			: release
				? release.getTime()
				: m.inCinemas
					? m.inCinemas.getTime() + 90 * DAY
					: Infinity;
	if (releasedAt <= nowMs) {
		return 'released';
	}
	if (m.inCinemas && m.inCinemas.getTime() <= nowMs) {
		return 'inCinemas';
	}
	return m.inCinemas || release ? 'announced' : 'tba';
}

const SORT_KEYS = [
	'movieMetadata.sortTitle',
	'movieMetadata.year',
	'movieMetadata.inCinemas',
	'movieMetadata.digitalRelease',
	'movieMetadata.physicalRelease',
	'movies.lastSearchTime'
] as const;

/** `MovieResource.ratings`, the same in Radarr and Whisparr v3. */
function ratingsResource(m: SimMovie): JsonObject {
	return {
		imdb: { votes: m.ratings.imdb.votes, value: m.ratings.imdb.value, type: 'user' },
		tmdb: { votes: m.ratings.tmdb.votes, value: m.ratings.tmdb.value, type: 'user' }
	};
}

/** `MovieResource.statistics`, the same in Radarr and Whisparr v3. */
function movieStatistics(file: SimMovieFile | undefined): JsonObject {
	return {
		movieFileCount: file ? 1 : 0,
		sizeOnDisk: file?.size ?? 0,
		releaseGroups: file ? [file.releaseGroup] : []
	};
}

/**
 * One simulated Radarr: the live library (plain arrays, see library.ts) plus indexes rebuilt
 * automatically when the arrays change length or identity.
 */
export class RadarrApp {
	movies: SimMovie[] = [];
	movieFiles: SimMovieFile[] = [];
	/** `GET /api/v3/history/since` records (see history.ts). */
	readonly history = new SimHistory();
	private ids: IdCounters = newCounters();
	private ix: RadarrIndex | null = null;
	private generatedCount = 0;
	private anchorMs = 0;
	readonly commandDefs = RADARR_COMMANDS;
	readonly executor: CommandExecutor;

	/** Whether this instance plays Whisparr v3. */
	readonly whisparr: boolean;
	private readonly rootFolder: string;

	constructor(private readonly settings: RadarrSettings) {
		this.whisparr = settings.flavor === 'whisparr-v3';
		this.rootFolder = this.whisparr ? '/scenes' : '/movies';
		this.executor = {
			onStart: (cmd, at) => this.onStart(cmd, at),
			onComplete: (cmd, at) => this.onComplete(cmd, at)
		};
	}

	/** (Re)generates the library from the seed; ids restart at 1. */
	generate(): void {
		const now = this.settings.now();
		this.anchorMs = anchorOf(now);
		this.ids = newCounters();
		this.movies = [];
		this.movieFiles = [];
		this.history.clear();
		for (let i = 1; i <= this.settings.movies; i++) {
			const g = generateMovie(
				this.settings.seed,
				i,
				this.ids,
				this.anchorMs,
				now.getTime(),
				{},
				this.rootFolder
			);
			this.decorate(g.movie, i);
			this.movies.push(g.movie);
			if (g.file) {
				this.movieFiles.push(g.file);
			}
		}
		this.generatedCount = this.settings.movies;
		this.ix = null;
	}

	/**
	 * Whisparr v3: turns generated movie number `index` into a scene (~70%) or a movie with
	 * stashId/foreignId/code/studio. A scene keeps one release date, the one its file (if any) was
	 * generated against, as `digitalRelease`.
	 */
	private decorate(m: SimMovie, index: number): void {
		if (!this.whisparr) {
			return;
		}
		const seed = this.settings.seed;
		const h = hashInts(seed, 0xe505, index);
		const scene = h % 10 < 7;
		m.itemType = scene ? 'scene' : 'movie';
		m.studio = WHISPARR_STUDIOS[(h >>> 4) % WHISPARR_STUDIOS.length] ?? 'Velvet Room';
		m.stashId = (h >>> 8) % 10 < (scene ? 9 : 5) ? uuidOf(seed, 0x57a5, index) : null;
		m.foreignId = scene
			? (m.stashId ?? `tpdb-${100_000 + ((h >>> 12) % 900_000)}`)
			: String(m.tmdbId);
		m.code =
			scene && (h >>> 16) % 10 < 6
				? `${m.studio
						.replace(/[^A-Za-z]/g, '')
						.slice(0, 3)
						.toUpperCase()}-${String((h >>> 20) % 10_000).padStart(4, '0')}`
				: null;
		if (scene) {
			m.digitalRelease = m.digitalRelease ?? m.physicalRelease ?? m.inCinemas;
			m.inCinemas = null;
			m.physicalRelease = null;
			m.minimumAvailability = 'released';
			m.imdbId = null;
		}
	}

	/** Forces the indexes to be rebuilt on next use. */
	reindex(): void {
		this.ix = null;
	}

	private index(): RadarrIndex {
		const ix = this.ix;
		if (
			ix &&
			ix.moviesRef === this.movies &&
			ix.filesRef === this.movieFiles &&
			ix.lengths[0] === this.movies.length &&
			ix.lengths[1] === this.movieFiles.length
		) {
			return ix;
		}
		const movieById = new Map<number, SimMovie>();
		for (const m of this.movies) {
			movieById.set(m.id, m);
		}
		const fileById = new Map<number, SimMovieFile>();
		for (const f of this.movieFiles) {
			fileById.set(f.id, f);
		}
		this.ix = {
			movieById,
			fileById,
			moviesRef: this.movies,
			filesRef: this.movieFiles,
			lengths: [this.movies.length, this.movieFiles.length]
		};
		return this.ix;
	}

	/** Movie by id. */
	getMovie(id: number): SimMovie | undefined {
		return this.index().movieById.get(id);
	}

	/** Movie file by id. */
	getMovieFile(id: number): SimMovieFile | undefined {
		return this.index().fileById.get(id);
	}

	private cutoffUnmet(m: SimMovie): boolean {
		return (
			m.movieFileId > 0 && this.index().fileById.get(m.movieFileId)?.qualityCutoffNotMet === true
		);
	}

	/** Movies of `wanted/missing` or `wanted/cutoff` at `nowMs`, in library (id) order. */
	wanted(kind: 'missing' | 'cutoff', monitored: boolean, nowMs: number): SimMovie[] {
		return this.movies.filter(
			(m) =>
				m.monitored === monitored &&
				(kind === 'missing' ? m.movieFileId === 0 && isAvailable(m, nowMs) : this.cutoffUnmet(m))
		);
	}

	// ---- mutators ------------------------------------------------------------------------

	/**
	 * Adds a generated movie (next index of the seeded sequence) with field overrides applied.
	 * @param overrides fields of the movie (e.g. `{ monitored: false, minimumAvailability: 'announced' }`)
	 * @param shape release timeline and file state
	 */
	addMovie(
		overrides: Partial<Omit<SimMovie, 'id' | 'movieFileId'>> = {},
		shape: MovieShape = {}
	): SimMovie {
		this.index();
		const index = ++this.generatedCount;
		const now = this.settings.now();
		const g = generateMovie(
			this.settings.seed,
			index,
			this.ids,
			this.anchorMs || anchorOf(now),
			now.getTime(),
			shape,
			this.rootFolder
		);
		this.decorate(g.movie, index);
		Object.assign(g.movie, overrides);
		this.movies.push(g.movie);
		if (g.file) {
			this.movieFiles.push(g.file);
		}
		this.ix = null;
		return g.movie;
	}

	/** Removes a movie and its file. @returns false when unknown */
	removeMovie(id: number): boolean {
		if (!this.index().movieById.has(id)) {
			return false;
		}
		removeWhere(this.movies, (m) => m.id === id);
		removeWhere(this.movieFiles, (f) => f.movieId === id);
		this.ix = null;
		return true;
	}

	/**
	 * Gives a movie a new file (replacing any existing one) or deletes its file (`null`).
	 * @returns the new file, or null
	 * @throws when the movie does not exist
	 */
	setMovieFile(
		movieId: number,
		spec: MovieFileSpec | null,
		at: Date = this.settings.now()
	): SimMovieFile | null {
		const ix = this.index();
		const movie = ix.movieById.get(movieId);
		if (!movie) {
			throw new Error(`arr-sim: no movie ${movieId}`);
		}
		if (movie.movieFileId > 0 && !spec) {
			const old = ix.fileById.get(movie.movieFileId);
			this.history.add({
				date: at,
				eventType: 'movieFileDeleted',
				movieId,
				sourceTitle: old?.relativePath ?? '',
				quality: old ? (this.movieFileResource(old).quality as JsonObject) : {},
				qualityCutoffNotMet: old?.qualityCutoffNotMet ?? false,
				downloadId: null
			});
		}
		if (movie.movieFileId > 0) {
			const oldId = movie.movieFileId;
			const old = ix.fileById.get(oldId);
			const pos = old ? this.movieFiles.indexOf(old) : -1;
			if (pos >= 0) {
				this.movieFiles.splice(pos, 1);
			} else {
				removeWhere(this.movieFiles, (f) => f.id === oldId);
			}
			ix.fileById.delete(oldId);
			movie.movieFileId = 0;
		}
		let file: SimMovieFile | null = null;
		if (spec) {
			const rng = new Rng(hashInts(this.settings.seed, 0xf11e, movieId, this.ids.movieFile));
			file = makeMovieFile(rng, this.ids, movie, spec.cutoffNotMet, at);
			this.movieFiles.push(file);
			ix.fileById.set(file.id, file);
			const record = {
				date: at,
				movieId,
				sourceTitle: file.sceneName ?? file.relativePath,
				quality: this.movieFileResource(file).quality as JsonObject,
				qualityCutoffNotMet: file.qualityCutoffNotMet,
				downloadId: `SIM${file.id.toString(16).toUpperCase().padStart(8, '0')}`
			};
			if (spec.grabbed) {
				this.history.add({ ...record, eventType: 'grabbed' });
			}
			this.history.add({ ...record, eventType: 'downloadFolderImported' });
		}
		ix.lengths[1] = this.movieFiles.length;
		return file;
	}

	// ---- commands ------------------------------------------------------------------------

	/** MoviesSearch walks its ids in order and stops at the first unknown id (GetMovie throws). */
	private searchTargets(cmd: SimCommand): SimMovie[] {
		if (cmd.name !== 'MoviesSearch') {
			return [];
		}
		const out: SimMovie[] = [];
		for (const id of Array.isArray(cmd.props.movieIds) ? (cmd.props.movieIds as number[]) : []) {
			const m = this.getMovie(id);
			if (!m) {
				break;
			}
			out.push(m);
		}
		return out;
	}

	private onStart(cmd: SimCommand, at: Date): number[] {
		const targets = this.searchTargets(cmd);
		for (const m of targets) {
			m.lastSearchTime = at;
		}
		return targets.map((m) => m.id);
	}

	private onComplete(cmd: SimCommand, at: Date): CommandOutcome {
		const grabbed: number[] = [];
		for (const m of this.searchTargets(cmd)) {
			// Unreleased movies have no releases to grab, whatever the trigger.
			const wanted = (m.movieFileId === 0 && isAvailable(m, at.getTime())) || this.cutoffUnmet(m);
			if (wanted && hashUnit(this.settings.seed, cmd.id, m.id) < this.settings.grabRate) {
				this.setMovieFile(m.id, { cutoffNotMet: false, grabbed: true }, at);
				grabbed.push(m.id);
			}
		}
		if (cmd.name === 'MoviesSearch') {
			const ids = Array.isArray(cmd.props.movieIds) ? (cmd.props.movieIds as number[]) : [];
			const unknown = ids.find((id) => !this.getMovie(id));
			if (unknown !== undefined) {
				return notFoundOutcome(`Movie with ID ${unknown} does not exist`, grabbed);
			}
			return {
				ok: true,
				message: `Movie search completed. ${grabbed.length} reports downloaded.`,
				grabbedIds: grabbed
			};
		}
		if (cmd.name === 'MissingMoviesSearch' || cmd.name === 'CutoffUnmetMoviesSearch') {
			return {
				ok: true,
				message: 'Completed search for 0 movies. 0 reports downloaded.',
				grabbedIds: []
			};
		}
		if (cmd.name === 'RssSync') {
			return {
				ok: true,
				message: 'RSS Sync Completed. Reports found: 0, Reports grabbed: 0',
				grabbedIds: []
			};
		}
		return { ok: true, message: 'Completed', grabbedIds: [] };
	}

	// ---- resources -----------------------------------------------------------------------

	/** `MovieFileResource` (Whisparr v3: qualities without `modifier`, Sonarr-style sources). */
	movieFileResource(f: SimMovieFile): JsonObject {
		const q = RADARR_QUALITIES.get(f.qualityId) ?? {
			id: 0,
			name: 'Unknown',
			source: 'unknown',
			resolution: 0,
			modifier: 'none'
		};
		return {
			movieId: f.movieId,
			relativePath: f.relativePath,
			path: f.path,
			size: f.size,
			dateAdded: wireDate(f.dateAdded),
			sceneName: f.sceneName ?? undefined,
			releaseGroup: f.releaseGroup,
			edition: f.edition ?? '',
			languages: f.languages.map((l) => ({ id: l.id, name: l.name })),
			quality: {
				quality: this.whisparr
					? whisparrV3Quality(q)
					: {
							id: q.id,
							name: q.name,
							source: q.source,
							resolution: q.resolution,
							modifier: q.modifier ?? 'none'
						},
				revision: { version: 1, real: 0, isRepack: false }
			},
			customFormats: [],
			customFormatScore: 0,
			indexerFlags: 0,
			mediaInfo: {
				audioBitrate: 640_000,
				audioChannels: 5.1,
				audioCodec: 'AC3',
				audioLanguages: f.languages.map((l) => l.name.slice(0, 3).toLowerCase()).join('/'),
				audioStreamCount: 1,
				videoBitDepth: q.resolution >= 2160 ? 10 : 8,
				videoBitrate: 0,
				videoCodec: q.resolution >= 2160 ? 'x265' : 'x264',
				videoFps: 23.976,
				videoDynamicRange: q.resolution >= 2160 ? 'HDR' : '',
				videoDynamicRangeType: q.resolution >= 2160 ? 'HDR10' : '',
				resolution: q.resolution >= 2160 ? '3840x1600' : '1920x800',
				runTime: '2:01:44',
				scanType: 'Progressive',
				subtitles: 'eng'
			},
			qualityCutoffNotMet: f.qualityCutoffNotMet,
			id: f.id
		};
	}

	/**
	 * `MovieResource` as GET /movie returns it (with `movieFile` and `statistics`). Whisparr v3
	 * writes the properties of its spec instead: `itemType`, `stashId`, `foreignId`, `studioTitle`,
	 * `code`, `credits`, one `releaseDate`; no cinema/digital/physical dates, `minimumAvailability`,
	 * `movieFileId` or `lastSearchTime` (the stale spec lacks the last two).
	 */
	movieResource(m: SimMovie, nowMs: number): JsonObject {
		const file = m.movieFileId > 0 ? this.index().fileById.get(m.movieFileId) : undefined;
		const base = this.settings.urlBase;
		const releaseDate = releaseDateOf(m);
		if (this.whisparr) {
			return this.whisparrMovieResource(
				m,
				file,
				Number.isFinite(releaseDate) ? new Date(releaseDate) : null,
				nowMs
			);
		}
		return {
			title: m.title,
			originalTitle: m.originalTitle,
			originalLanguage: { ...m.originalLanguage },
			alternateTitles: [],
			secondaryYearSourceId: 0,
			sortTitle: m.sortTitle,
			sizeOnDisk: file?.size ?? 0,
			status: movieStatus(m, nowMs),
			overview: m.overview,
			inCinemas: wireDate(m.inCinemas),
			physicalRelease: wireDate(m.physicalRelease),
			digitalRelease: wireDate(m.digitalRelease),
			releaseDate: Number.isFinite(releaseDate) ? wireDate(new Date(releaseDate)) : undefined,
			images: [
				mediaCover(base, m.id, 'poster', `${TMDB}/${m.tmdbId}.jpg`),
				mediaCover(base, m.id, 'fanart', `${TMDB}/${m.tmdbId}-f.jpg`)
			],
			website: m.website ?? undefined,
			remotePoster: `${TMDB}/${m.tmdbId}.jpg`,
			year: m.year,
			youTubeTrailerId: m.youTubeTrailerId ?? undefined,
			studio: m.studio,
			path: m.path,
			qualityProfileId: m.qualityProfileId,
			hasFile: m.movieFileId > 0,
			movieFileId: m.movieFileId,
			monitored: m.monitored,
			minimumAvailability: m.minimumAvailability,
			isAvailable: isAvailable(m, nowMs),
			folderName: m.path,
			runtime: m.runtime,
			cleanTitle: m.cleanTitle,
			imdbId: m.imdbId ?? undefined,
			tmdbId: m.tmdbId,
			titleSlug: m.titleSlug,
			rootFolderPath: m.rootFolderPath,
			certification: m.certification ?? undefined,
			genres: [...m.genres],
			keywords: [],
			tags: [...m.tags],
			added: wireDate(m.added),
			ratings: ratingsResource(m),
			movieFile: file ? this.movieFileResource(file) : undefined,
			popularity: m.popularity,
			lastSearchTime:
				this.settings.lastSearchTime === false ? undefined : wireDate(m.lastSearchTime),
			statistics: movieStatistics(file),
			id: m.id
		};
	}

	private whisparrMovieResource(
		m: SimMovie,
		file: SimMovieFile | undefined,
		releaseDate: Date | null,
		nowMs: number
	): JsonObject {
		const base = this.settings.urlBase;
		return {
			title: m.title,
			code: m.code ?? undefined,
			originalLanguage: { ...m.originalLanguage },
			sortTitle: m.sortTitle,
			sizeOnDisk: file?.size ?? 0,
			status: movieStatus(m, nowMs),
			overview: m.overview,
			releaseDate: wireDate(releaseDate),
			images: [mediaCover(base, m.id, 'poster', `${TMDB}/${m.tmdbId}.jpg`)],
			website: m.website ?? undefined,
			remotePoster: `${TMDB}/${m.tmdbId}.jpg`,
			year: m.year,
			studioTitle: m.studio,
			path: m.path,
			qualityProfileId: m.qualityProfileId,
			hasFile: m.movieFileId > 0,
			monitored: m.monitored,
			isAvailable: isAvailable(m, nowMs),
			folderName: m.path,
			runtime: m.runtime,
			cleanTitle: m.cleanTitle,
			imdbId: m.imdbId ?? undefined,
			tmdbId: m.tmdbId,
			foreignId: m.foreignId ?? String(m.tmdbId),
			stashId: m.stashId ?? undefined,
			titleSlug: m.titleSlug,
			rootFolderPath: m.rootFolderPath,
			genres: [...m.genres],
			tags: [...m.tags],
			added: wireDate(m.added),
			ratings: ratingsResource(m),
			movieFile: file ? this.movieFileResource(file) : undefined,
			credits: [],
			itemType: m.itemType ?? 'movie',
			statistics: movieStatistics(file),
			id: m.id
		};
	}

	// ---- HTTP ----------------------------------------------------------------------------

	/** Routes Radarr-only endpoints; `null` when the path is not one of them. */
	handle(req: AppRequest): Response | null {
		const [a, b, c] = req.segments;
		const q = req.query;
		const wantedServed = this.settings.wantedEndpoints !== false;
		if (a === 'wanted' && !wantedServed) {
			// Not a route of this build: the same empty 404 as any unknown path.
			return null;
		}
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			return a === 'movie' || a === 'moviefile' || a === 'wanted'
				? new Response(null, { status: 405 })
				: null;
		}
		if (a === 'history' && b === 'since' && c === undefined) {
			return this.history.since(req, RADARR_HISTORY_EVENTS);
		}
		if (a === 'movie' && c === undefined) {
			if (b !== undefined) {
				const m = this.getMovie(Number(b));
				return m ? jsonResponse(this.movieResource(m, req.nowMs)) : notFound();
			}
			const tmdbId = queryInt(q.tmdbid);
			if (tmdbId === null) {
				return badQueryValue('tmdbId', q.tmdbid);
			}
			let list =
				tmdbId === undefined ? this.movies : this.movies.filter((m) => m.tmdbId === tmdbId);
			const stashId = this.whisparr ? q.stashid?.[q.stashid.length - 1] : undefined;
			if (stashId !== undefined && stashId !== '') {
				list = list.filter((m) => m.stashId === stashId);
			}
			return jsonResponse(list.map((m) => this.movieResource(m, req.nowMs)));
		}
		if (a === 'moviefile' && c === undefined) {
			if (b !== undefined) {
				const f = this.getMovieFile(Number(b));
				return f ? jsonResponse(this.movieFileResource(f)) : notFound();
			}
			const movieIds = queryIntList(q.movieid);
			if (movieIds === null) {
				return badQueryValue('movieId', q.movieid);
			}
			const fileIds = queryIntList(q.moviefileids);
			if (fileIds === null) {
				return badQueryValue('movieFileIds', q.moviefileids);
			}
			if (movieIds.length === 0 && fileIds.length === 0) {
				return errorResponse(400, 'movieId or movieFileIds must be provided');
			}
			const files: SimMovieFile[] = [];
			if (movieIds.length > 0) {
				for (const id of new Set(movieIds)) {
					const m = this.getMovie(id);
					const f = m && m.movieFileId > 0 ? this.getMovieFile(m.movieFileId) : undefined;
					if (f) {
						files.push(f);
					}
				}
			} else {
				for (const id of fileIds) {
					const f = this.getMovieFile(id);
					if (f) {
						files.push(f);
					}
				}
			}
			return jsonResponse(files.map((f) => this.movieFileResource(f)));
		}
		if (a === 'wanted' && (b === 'missing' || b === 'cutoff') && c === undefined) {
			const paging = parsePaging(q, this.sortKeys(), 'movieMetadata.sortTitle');
			if (paging instanceof Response) {
				return paging;
			}
			const monitored = queryBool(q.monitored);
			if (monitored === null) {
				return badQueryValue('monitored', q.monitored);
			}
			const list = this.wanted(b, monitored ?? true, req.nowMs);
			const key = sortKeyOf(paging.sortKey);
			list.sort((x, y) => {
				const kx = key(x);
				const ky = key(y);
				return (kx < ky ? -1 : kx > ky ? 1 : 0) || x.id - y.id;
			});
			if (paging.sortDirection === 'descending') {
				list.reverse();
			}
			return jsonResponse(pageOf(list, paging, (m) => this.movieResource(m, req.nowMs)));
		}
		return null;
	}

	/** wanted/* sort keys of this app and version. */
	private sortKeys(): readonly string[] {
		if (this.whisparr) {
			return [
				'movieMetadata.sortTitle',
				'movieMetadata.year',
				'movieMetadata.releaseDate',
				'movies.lastSearchTime'
			];
		}
		return this.settings.lastSearchTime === false
			? SORT_KEYS.filter((k) => k !== 'movies.lastSearchTime')
			: SORT_KEYS;
	}
}

/** Sort value per supported key; missing dates sort first (SQL NULLs are smallest). */
function sortKeyOf(key: string): (m: SimMovie) => string | number {
	switch (key) {
		case 'movieMetadata.year':
			return (m) => m.year;
		case 'movieMetadata.inCinemas':
			return (m) => m.inCinemas?.getTime() ?? -Infinity;
		case 'movieMetadata.digitalRelease':
			return (m) => m.digitalRelease?.getTime() ?? -Infinity;
		case 'movieMetadata.physicalRelease':
			return (m) => m.physicalRelease?.getTime() ?? -Infinity;
		case 'movies.lastSearchTime':
			return (m) => m.lastSearchTime?.getTime() ?? -Infinity;
		case 'movieMetadata.releaseDate':
			return (m) => {
				const d = releaseDateOf(m);
				return Number.isFinite(d) ? d : -Infinity;
			};
		default:
			return (m) => m.sortTitle;
	}
}
