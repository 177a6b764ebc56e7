/**
 * Sonarr v4 (API v3) behaviour of the simulator: library state, resources, the series/episode/
 * episodefile/wanted endpoints and the effects of search commands. The same class plays
 * Whisparr v2 (`flavor: 'whisparr-v2'`, a Sonarr fork: series = sites, episodes = scenes) with the
 * differences of ../shared/arr-api/README.md §2 (see {@link SonarrApp.episodeResource}).
 *
 * Rules reproduced from Sonarr (see ../shared/arr-api/README.md and the upstream source):
 * - wanted/missing, monitored=true: episode and series monitored, no file, `airDateUtc` set and
 *   `airDateUtc + series.runtime minutes <= now`; specials (season 0) included. monitored=false:
 *   episode or series unmonitored, same other conditions.
 * - wanted/cutoff, monitored=true: episode and series monitored, has a file whose
 *   `qualityCutoffNotMet` is true (monitored=false: episode or series unmonitored).
 * - season statistics (SeriesStatisticsRepository): `totalEpisodeCount` = all episodes,
 *   `episodeCount` = (monitored and airDateUtc <= now) or has file, `episodeFileCount` = has file,
 *   `nextAiring` = earliest monitored airDateUtc >= now, `previousAiring` = latest monitored
 *   airDateUtc < now, `percentOfEpisodes` = files / episodeCount × 100.
 * - Whisparr v2 wanted/missing (the simulator's reading): episode and series monitored, no file,
 *   `releaseDate` (the episode's `airDate` day) set and its midnight UTC <= now. The generator
 *   keeps `airDateUtc` at that midnight so ordering and statistics agree with `releaseDate`.
 */
import type { CommandDef, CommandExecutor, CommandOutcome, SimCommand } from './commands';
import { SimHistory, SONARR_HISTORY_EVENTS } from './history';
import { hasSeasonPack, isFindable, type ResolvedAvailability } from './availability';
import {
	anchorOf,
	generateSeries,
	hashInts,
	hashUnit,
	makeEpisodeFile,
	newCounters,
	Rng,
	SONARR_QUALITIES,
	type IdCounters,
	type SeriesShape,
	type SimEpisode,
	type SimEpisodeFile,
	type SimSeries
} from './library';
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

const MINUTE = 60_000;
const TVDB = 'https://artworks.thetvdb.com/banners';

/** Sonarr command classes the simulator knows (name → own properties). */
export const SONARR_COMMANDS: readonly CommandDef[] = [
	search('EpisodeSearch', [{ name: 'episodeIds', type: 'int[]' }]),
	search('SeasonSearch', [
		{ name: 'seriesId', type: 'int', default: 0 },
		{ name: 'seasonNumber', type: 'int', default: 0 }
	]),
	search('SeriesSearch', [{ name: 'seriesId', type: 'int', default: 0 }]),
	search('MissingEpisodeSearch', [
		{ name: 'seriesId', type: 'int' },
		{ name: 'monitored', type: 'bool', default: true }
	]),
	search('CutoffUnmetEpisodeSearch', [
		{ name: 'seriesId', type: 'int' },
		{ name: 'monitored', type: 'bool', default: true }
	]),
	{
		name: 'RefreshSeries',
		props: [
			{ name: 'seriesIds', type: 'int[]', default: [], alias: 'seriesId' },
			{ name: 'isNewSeries', type: 'bool', default: false }
		],
		sendUpdatesToClient: true,
		updateScheduledTask: (p) => !Array.isArray(p.seriesIds) || p.seriesIds.length === 0,
		isLongRunning: true,
		isExclusive: false,
		requiresDiskAccess: false
	},
	{
		name: 'RescanSeries',
		props: [{ name: 'seriesId', type: 'int' }],
		sendUpdatesToClient: true,
		updateScheduledTask: true,
		isLongRunning: false,
		isExclusive: false,
		requiresDiskAccess: true
	},
	{
		name: 'RssSync',
		props: [],
		sendUpdatesToClient: true,
		updateScheduledTask: true,
		isLongRunning: true,
		isExclusive: false,
		requiresDiskAccess: false
	}
];

function search(name: string, props: CommandDef['props']): CommandDef {
	return {
		name,
		props,
		sendUpdatesToClient: true,
		updateScheduledTask: true,
		isLongRunning: false,
		isExclusive: false,
		requiresDiskAccess: false
	};
}

/** Settings the Sonarr app needs from its instance. */
export interface SonarrSettings {
	seed: number;
	series: number;
	grabRate: number;
	urlBase: string;
	now: () => Date;
	/** Which Sonarr-shaped app to play (default 'sonarr'). */
	flavor?: 'sonarr' | 'whisparr-v2';
	/** Whether `EpisodeResource.lastSearchTime` is written (default true; see versions.ts). */
	lastSearchTime?: boolean;
	/** Shape of every generated series (default `{}`: drawn per series). */
	shape?: SeriesShape;
	/** The opt-in availability model (availability.ts); null/absent = the `grabRate` coin. */
	availability?: ResolvedAvailability | null;
}

/** SeriesResource properties Sonarr v4 has and the Whisparr v2 spec does not. */
const WHISPARR_V2_SERIES_ABSENT = [
	'alternateTitles',
	'airTime',
	'tvRageId',
	'tvMazeId',
	'tmdbId',
	'lastAired',
	'seriesType',
	'imdbId',
	'seasonFolder',
	'languageProfileId'
] as const;

const PERFORMER_FIRST = [
	'Alex',
	'Sam',
	'Jordan',
	'Riley',
	'Casey',
	'Morgan',
	'Taylor',
	'Jamie',
	'Avery',
	'Quinn',
	'Zoë',
	'Léa'
];
const PERFORMER_LAST = [
	'Stone',
	'Rivers',
	'Vale',
	'Monroe',
	'Hart',
	'Lane',
	'Cruz',
	'Blake',
	'Reed',
	'Fox',
	'Ångström',
	'Nuñez'
];
const PERFORMER_GENDERS = ['female', 'female', 'female', 'male', 'other'] as const;

/** Midnight UTC of a `yyyy-MM-dd` day, ms epoch. */
function dayStartMs(day: string): number {
	return Date.parse(`${day}T00:00:00Z`);
}

interface SonarrIndex {
	seriesById: Map<number, SimSeries>;
	episodesBySeries: Map<number, SimEpisode[]>;
	episodeById: Map<number, SimEpisode>;
	fileById: Map<number, SimEpisodeFile>;
	/** All episodes ordered by (airDateUtc, id) ascending, null air dates first. */
	byAirDate: SimEpisode[];
	seriesRef: SimSeries[];
	episodesRef: SimEpisode[];
	filesRef: SimEpisodeFile[];
	lengths: [number, number, number];
}

interface SeasonStats {
	total: number;
	episodeCount: number;
	fileCount: number;
	size: number;
	next: number;
	prev: number;
	lastAiredDay: string | null;
	groups: Set<string>;
}

/** Fields of a new episode file given to {@link SonarrApp.setEpisodeFile}. */
export interface EpisodeFileSpec {
	cutoffNotMet: boolean;
	/** Record a `grabbed` before the import in the history (a search found it). */
	grabbed?: boolean;
}

/**
 * One simulated Sonarr: the live library (plain arrays, see library.ts) plus indexes that are
 * rebuilt automatically when the arrays change length or identity. After editing fields that
 * affect ordering (`airDateUtc`) or membership in place, call {@link SonarrApp.reindex}.
 */
export class SonarrApp {
	series: SimSeries[] = [];
	episodes: SimEpisode[] = [];
	episodeFiles: SimEpisodeFile[] = [];
	/** `GET /api/v3/history/since` records (see history.ts). */
	readonly history = new SimHistory();
	private ids: IdCounters = newCounters();
	private ix: SonarrIndex | null = null;
	private generatedCount = 0;
	private anchorMs = 0;
	readonly commandDefs = SONARR_COMMANDS;
	readonly executor: CommandExecutor;

	/** Whether this instance plays Whisparr v2. */
	readonly whisparr: boolean;
	private readonly rootFolder: string;

	constructor(private readonly settings: SonarrSettings) {
		this.whisparr = settings.flavor === 'whisparr-v2';
		this.rootFolder = this.whisparr ? '/sites' : '/tv';
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
		this.series = [];
		this.episodes = [];
		this.episodeFiles = [];
		this.history.clear();
		for (let i = 1; i <= this.settings.series; i++) {
			this.pushGenerated(
				generateSeries(
					this.settings.seed,
					i,
					this.ids,
					this.anchorMs,
					now.getTime(),
					this.settings.shape ?? {},
					this.rootFolder
				)
			);
		}
		this.generatedCount = this.settings.series;
		this.ix = null;
	}

	private pushGenerated(g: {
		series: SimSeries;
		episodes: SimEpisode[];
		files: SimEpisodeFile[];
	}): void {
		this.series.push(g.series);
		for (const e of g.episodes) {
			if (this.whisparr) {
				// A scene has a release day, not an air time: keep airDateUtc at its midnight UTC.
				e.airDateUtc = e.airDate === null ? null : new Date(dayStartMs(e.airDate));
			}
			this.episodes.push(e);
		}
		for (const f of g.files) {
			this.episodeFiles.push(f);
		}
	}

	/** Forces the indexes to be rebuilt on next use. */
	reindex(): void {
		this.ix = null;
	}

	private index(): SonarrIndex {
		const ix = this.ix;
		if (
			ix &&
			ix.seriesRef === this.series &&
			ix.episodesRef === this.episodes &&
			ix.filesRef === this.episodeFiles &&
			ix.lengths[0] === this.series.length &&
			ix.lengths[1] === this.episodes.length &&
			ix.lengths[2] === this.episodeFiles.length
		) {
			return ix;
		}
		const seriesById = new Map<number, SimSeries>();
		for (const s of this.series) {
			seriesById.set(s.id, s);
		}
		const episodesBySeries = new Map<number, SimEpisode[]>();
		const episodeById = new Map<number, SimEpisode>();
		for (const e of this.episodes) {
			episodeById.set(e.id, e);
			let list = episodesBySeries.get(e.seriesId);
			if (!list) {
				list = [];
				episodesBySeries.set(e.seriesId, list);
			}
			list.push(e);
		}
		for (const list of episodesBySeries.values()) {
			list.sort(
				(a, b) =>
					a.seasonNumber - b.seasonNumber || a.episodeNumber - b.episodeNumber || a.id - b.id
			);
		}
		const fileById = new Map<number, SimEpisodeFile>();
		for (const f of this.episodeFiles) {
			fileById.set(f.id, f);
		}
		const byAirDate = [...this.episodes].sort(
			(a, b) =>
				(a.airDateUtc?.getTime() ?? -Infinity) - (b.airDateUtc?.getTime() ?? -Infinity) ||
				a.id - b.id
		);
		this.ix = {
			seriesById,
			episodesBySeries,
			episodeById,
			fileById,
			byAirDate,
			seriesRef: this.series,
			episodesRef: this.episodes,
			filesRef: this.episodeFiles,
			lengths: [this.series.length, this.episodes.length, this.episodeFiles.length]
		};
		return this.ix;
	}

	/** Keeps the index valid after a file was added/removed through this class. */
	private syncFileIndex(added: SimEpisodeFile | null, removedId: number): void {
		const ix = this.ix;
		if (!ix || ix.filesRef !== this.episodeFiles) {
			return;
		}
		if (added) {
			ix.fileById.set(added.id, added);
		}
		if (removedId > 0) {
			ix.fileById.delete(removedId);
		}
		ix.lengths[2] = this.episodeFiles.length;
	}

	// ---- queries -------------------------------------------------------------------------

	/**
	 * Whether an episode counts as missing at `nowMs`, ignoring monitoring: Sonarr waits
	 * `airDateUtc + series.runtime`; Whisparr v2 takes the release day's midnight UTC.
	 */
	private airedWithoutFile(ep: SimEpisode, series: SimSeries, nowMs: number): boolean {
		if (ep.episodeFileId !== 0) {
			return false;
		}
		if (this.whisparr) {
			return ep.airDate !== null && dayStartMs(ep.airDate) <= nowMs;
		}
		return ep.airDateUtc !== null && ep.airDateUtc.getTime() + series.runtime * MINUTE <= nowMs;
	}

	private cutoffUnmet(ep: SimEpisode, fileById: Map<number, SimEpisodeFile>): boolean {
		return ep.episodeFileId > 0 && fileById.get(ep.episodeFileId)?.qualityCutoffNotMet === true;
	}

	/**
	 * Episodes of `wanted/missing` or `wanted/cutoff` at `nowMs`, ordered by
	 * (airDateUtc, id) ascending (nulls first).
	 */
	wanted(kind: 'missing' | 'cutoff', monitored: boolean, nowMs: number): SimEpisode[] {
		const ix = this.index();
		const out: SimEpisode[] = [];
		for (const ep of ix.byAirDate) {
			const s = ix.seriesById.get(ep.seriesId);
			if (!s || (ep.monitored && s.monitored) !== monitored) {
				continue;
			}
			if (
				kind === 'missing' ? this.airedWithoutFile(ep, s, nowMs) : this.cutoffUnmet(ep, ix.fileById)
			) {
				out.push(ep);
			}
		}
		return out;
	}

	/** Series by id. */
	getSeries(id: number): SimSeries | undefined {
		return this.index().seriesById.get(id);
	}

	/** Episode by id. */
	getEpisode(id: number): SimEpisode | undefined {
		return this.index().episodeById.get(id);
	}

	/** Episode file by id. */
	getEpisodeFile(id: number): SimEpisodeFile | undefined {
		return this.index().fileById.get(id);
	}

	/** Episodes of a series ordered by season and episode number. */
	episodesOf(seriesId: number): SimEpisode[] {
		return this.index().episodesBySeries.get(seriesId) ?? [];
	}

	// ---- mutators ------------------------------------------------------------------------

	/**
	 * Adds a generated series (next index of the seeded sequence) with field overrides applied.
	 * @param overrides fields of the series itself (e.g. `{ monitored: false, title: 'X' }`)
	 * @param shape how the episodes are generated (kind, seasons, episodes per season, missing share)
	 */
	addSeries(
		overrides: Partial<Omit<SimSeries, 'id' | 'seasons'>> = {},
		shape: SeriesShape = {}
	): SimSeries {
		this.index();
		const index = ++this.generatedCount;
		const now = this.settings.now();
		const g = generateSeries(
			this.settings.seed,
			index,
			this.ids,
			this.anchorMs || anchorOf(now),
			now.getTime(),
			shape,
			this.rootFolder
		);
		Object.assign(g.series, overrides);
		if (overrides.runtime !== undefined) {
			for (const e of g.episodes) {
				e.runtime = overrides.runtime;
			}
		}
		this.pushGenerated(g);
		this.ix = null;
		return g.series;
	}

	/** Removes a series with its episodes and files. @returns false when unknown */
	removeSeries(id: number): boolean {
		if (!this.index().seriesById.has(id)) {
			return false;
		}
		removeWhere(this.series, (s) => s.id === id);
		removeWhere(this.episodes, (e) => e.seriesId === id);
		removeWhere(this.episodeFiles, (f) => f.seriesId === id);
		this.ix = null;
		return true;
	}

	/**
	 * Gives an episode a new file (replacing any existing one) or deletes its file (`null`).
	 * @returns the new file, or null
	 * @throws when the episode does not exist
	 */
	setEpisodeFile(
		episodeId: number,
		spec: EpisodeFileSpec | null,
		at: Date = this.settings.now()
	): SimEpisodeFile | null {
		const ix = this.index();
		const ep = ix.episodeById.get(episodeId);
		const series = ep ? ix.seriesById.get(ep.seriesId) : undefined;
		if (!ep || !series) {
			throw new Error(`arr-sim: no episode ${episodeId}`);
		}
		const oldId = ep.episodeFileId;
		if (oldId > 0 && !spec) {
			const old = ix.fileById.get(oldId);
			this.history.add({
				date: at,
				eventType: 'episodeFileDeleted',
				seriesId: ep.seriesId,
				episodeId: ep.id,
				sourceTitle: old?.relativePath ?? '',
				quality: old ? (this.episodeFileResource(old).quality as JsonObject) : {},
				qualityCutoffNotMet: old?.qualityCutoffNotMet ?? false,
				downloadId: null
			});
		}
		if (oldId > 0) {
			const old = ix.fileById.get(oldId);
			const at0 = old ? this.episodeFiles.indexOf(old) : -1;
			if (at0 >= 0) {
				this.episodeFiles.splice(at0, 1);
			} else {
				removeWhere(this.episodeFiles, (f) => f.id === oldId);
			}
			ep.episodeFileId = 0;
			this.syncFileIndex(null, oldId);
		}
		if (!spec) {
			return null;
		}
		const rng = new Rng(hashInts(this.settings.seed, 0xf11e, episodeId, this.ids.episodeFile));
		const file = makeEpisodeFile(rng, this.ids, series, ep, spec.cutoffNotMet, at);
		this.episodeFiles.push(file);
		this.syncFileIndex(file, 0);
		const quality = this.episodeFileResource(file).quality as JsonObject;
		const downloadId = `SIM${file.id.toString(16).toUpperCase().padStart(8, '0')}`;
		const record = {
			date: at,
			seriesId: ep.seriesId,
			episodeId: ep.id,
			sourceTitle: file.sceneName ?? file.relativePath,
			quality,
			qualityCutoffNotMet: file.qualityCutoffNotMet,
			downloadId
		};
		if (spec.grabbed) {
			this.history.add({ ...record, eventType: 'grabbed' });
		}
		this.history.add({ ...record, eventType: 'downloadFolderImported' });
		return file;
	}

	// ---- commands ------------------------------------------------------------------------

	/**
	 * Episodes a search command covers. EpisodeSearch walks its ids in order and, like Sonarr
	 * (GetEpisode throws ModelNotFoundException), stops at the first unknown id.
	 */
	private searchTargets(cmd: SimCommand): SimEpisode[] {
		const ix = this.index();
		switch (cmd.name) {
			case 'EpisodeSearch': {
				const out: SimEpisode[] = [];
				for (const id of Array.isArray(cmd.props.episodeIds)
					? (cmd.props.episodeIds as number[])
					: []) {
					const ep = ix.episodeById.get(id);
					if (!ep) {
						break;
					}
					out.push(ep);
				}
				return out;
			}
			case 'SeasonSearch':
				return this.episodesOf(Number(cmd.props.seriesId)).filter(
					(e) => e.seasonNumber === Number(cmd.props.seasonNumber) && e.monitored
				);
			case 'SeriesSearch':
				return this.episodesOf(Number(cmd.props.seriesId)).filter((e) => e.monitored);
			default:
				return [];
		}
	}

	private onStart(cmd: SimCommand, at: Date): number[] {
		const targets = this.searchTargets(cmd);
		for (const ep of targets) {
			ep.lastSearchTime = at;
		}
		return targets.map((e) => e.id);
	}

	// ---- availability model (availability.ts; only with `settings.availability`) ----------

	/** Whether every episode of the season has aired at `at` (no TBA, none in the future). */
	private seasonFullyAired(seriesId: number, seasonNumber: number, at: Date): boolean {
		return this.episodesOf(seriesId).every(
			(e) =>
				e.seasonNumber !== seasonNumber ||
				(e.airDateUtc !== null && e.airDateUtc.getTime() <= at.getTime())
		);
	}

	/**
	 * Whether episode `episodeId` is findable on the indexers at `at` (its age counts from
	 * `airDateUtc`; a TBA episode is never findable). @throws without the availability model
	 */
	findable(episodeId: number, at: Date = this.settings.now()): boolean {
		const a = this.settings.availability;
		const ep = this.index().episodeById.get(episodeId);
		if (!a) {
			throw new Error('arr-sim: this instance has no availability model');
		}
		if (!ep || ep.airDateUtc === null) {
			return false;
		}
		return isFindable(a, this.settings.seed, ep.id, at.getTime() - ep.airDateUtc.getTime());
	}

	/** Whether a season pack can be grabbed for this season at `at` (fully aired and seeded). */
	seasonPackAvailable(seriesId: number, seasonNumber: number, at: Date = this.settings.now()) {
		const a = this.settings.availability;
		if (!a) {
			throw new Error('arr-sim: this instance has no availability model');
		}
		return (
			hasSeasonPack(a, this.settings.seed, seriesId, seasonNumber) &&
			this.seasonFullyAired(seriesId, seasonNumber, at)
		);
	}

	/**
	 * Whether a season search would grab this season's pack at `at`: one exists, and (with
	 * `packNeedsUpgradableFiles`, the default) no episode of the season has a file the pack could
	 * not upgrade — Sonarr's UpgradeDiskSpecification rejects a release when any episode it covers
	 * has a file of equal or higher preference; here a file is upgradable when below the cutoff.
	 * @throws without the availability model
	 */
	seasonPackAccepted(seriesId: number, seasonNumber: number, at: Date = this.settings.now()) {
		if (!this.seasonPackAvailable(seriesId, seasonNumber, at)) return false;
		if (this.settings.availability?.packNeedsUpgradableFiles === false) return true;
		const ix = this.index();
		return this.episodesOf(seriesId)
			.filter((e) => e.seasonNumber === seasonNumber && e.episodeFileId !== 0)
			.every((e) => this.cutoffUnmet(e, ix.fileById));
	}

	/** Seasons (`series:season`) a SeasonSearch / SeriesSearch grabs as a pack. */
	private packSeasons(cmd: SimCommand, targets: SimEpisode[], at: Date): Set<string> {
		const out = new Set<string>();
		if (cmd.name !== 'SeasonSearch' && cmd.name !== 'SeriesSearch') {
			return out;
		}
		for (const ep of targets) {
			const key = `${ep.seriesId}:${ep.seasonNumber}`;
			if (!out.has(key) && this.seasonPackAccepted(ep.seriesId, ep.seasonNumber, at)) {
				out.add(key);
			}
		}
		return out;
	}

	/**
	 * Whether a season-level search of this episode's season finds only a pack: never by default
	 * (a season query also returns single-episode releases, see availability.ts
	 * `seasonSearchFindsEpisodes`); with that knob off, for a fully aired season (a season still
	 * airing is searched episode by episode, as Sonarr does).
	 */
	private packOnly(cmd: SimCommand, ep: SimEpisode, at: Date): boolean {
		return (
			this.settings.availability?.seasonSearchFindsEpisodes === false &&
			(cmd.name === 'SeasonSearch' || cmd.name === 'SeriesSearch') &&
			this.seasonFullyAired(ep.seriesId, ep.seasonNumber, at)
		);
	}

	private onComplete(cmd: SimCommand, at: Date): CommandOutcome {
		const ix = this.index();
		if (cmd.name === 'SeasonSearch' || cmd.name === 'SeriesSearch' || cmd.name === 'RescanSeries') {
			const seriesId = Number(cmd.props.seriesId ?? 0);
			if ((cmd.name !== 'RescanSeries' || seriesId > 0) && !ix.seriesById.has(seriesId)) {
				return notFoundOutcome(`Series with ID ${seriesId} does not exist`);
			}
		}
		const targets = this.searchTargets(cmd);
		const grabbed: number[] = [];
		// Reports downloaded: one per grabbed episode, one per grabbed season pack.
		let reports = 0;
		const packed = this.settings.availability
			? this.packSeasons(cmd, targets, at)
			: new Set<string>();
		for (const ep of targets) {
			const series = ix.seriesById.get(ep.seriesId);
			if (!series) {
				continue;
			}
			const wanted =
				this.airedWithoutFile(ep, series, at.getTime()) || this.cutoffUnmet(ep, ix.fileById);
			if (!wanted) {
				continue;
			}
			const inPack = packed.has(`${ep.seriesId}:${ep.seasonNumber}`);
			const found = this.settings.availability
				? inPack || (!this.packOnly(cmd, ep, at) && this.findable(ep.id, at))
				: hashUnit(this.settings.seed, cmd.id, ep.id) < this.settings.grabRate;
			if (found) {
				this.setEpisodeFile(ep.id, { cutoffNotMet: false, grabbed: true }, at);
				grabbed.push(ep.id);
				if (!inPack) {
					reports++;
				}
			}
		}
		reports += [...packed].filter((key) =>
			grabbed.some((id) => {
				const ep = ix.episodeById.get(id);
				return ep !== undefined && `${ep.seriesId}:${ep.seasonNumber}` === key;
			})
		).length;
		const n = this.settings.availability ? reports : grabbed.length;
		if (cmd.name === 'EpisodeSearch') {
			const ids = Array.isArray(cmd.props.episodeIds) ? (cmd.props.episodeIds as number[]) : [];
			const unknown = ids.find((id) => !ix.episodeById.has(id));
			if (unknown !== undefined) {
				return notFoundOutcome(`Episode with ID ${unknown} does not exist`, grabbed);
			}
		}
		switch (cmd.name) {
			case 'EpisodeSearch':
				return {
					ok: true,
					message: `Episode search completed. ${n} reports downloaded.`,
					grabbedIds: grabbed
				};
			case 'SeasonSearch':
				return {
					ok: true,
					message: `Season search completed. ${n} reports downloaded.`,
					grabbedIds: grabbed
				};
			case 'SeriesSearch':
				return {
					ok: true,
					message: `Series search completed. ${n} reports downloaded.`,
					grabbedIds: grabbed
				};
			case 'MissingEpisodeSearch':
			case 'CutoffUnmetEpisodeSearch':
				return {
					ok: true,
					message: 'Completed search for 0 episodes. 0 reports downloaded.',
					grabbedIds: []
				};
			case 'RssSync':
				return {
					ok: true,
					message: 'RSS Sync Completed. Reports found: 0, Reports grabbed: 0',
					grabbedIds: []
				};
			default:
				return { ok: true, message: 'Completed', grabbedIds: [] };
		}
	}

	// ---- resources -----------------------------------------------------------------------

	private seasonStats(seriesId: number, nowMs: number): Map<number, SeasonStats> {
		const ix = this.index();
		const stats = new Map<number, SeasonStats>();
		for (const ep of ix.episodesBySeries.get(seriesId) ?? []) {
			let st = stats.get(ep.seasonNumber);
			if (!st) {
				st = {
					total: 0,
					episodeCount: 0,
					fileCount: 0,
					size: 0,
					next: Infinity,
					prev: -Infinity,
					lastAiredDay: null,
					groups: new Set()
				};
				stats.set(ep.seasonNumber, st);
			}
			st.total++;
			const air = ep.airDateUtc?.getTime();
			const hasFile = ep.episodeFileId > 0;
			if ((ep.monitored && air !== undefined && air <= nowMs) || hasFile) {
				st.episodeCount++;
			}
			if (hasFile) {
				st.fileCount++;
				const f = ix.fileById.get(ep.episodeFileId);
				if (f) {
					st.size += f.size;
					st.groups.add(f.releaseGroup);
				}
			}
			if (air !== undefined && ep.monitored) {
				if (air >= nowMs && air < st.next) {
					st.next = air;
				}
				if (air < nowMs && air > st.prev) {
					st.prev = air;
				}
			}
			if (ep.airDate !== null && (st.lastAiredDay === null || ep.airDate > st.lastAiredDay)) {
				st.lastAiredDay = ep.airDate;
			}
		}
		return stats;
	}

	/**
	 * `SeriesResource`; with `withStatistics` the `statistics`, `seasons[].statistics`,
	 * `nextAiring`/`previousAiring`/`lastAired` of GET /series are included.
	 */
	seriesResource(s: SimSeries, nowMs: number, withStatistics: boolean): JsonObject {
		const stats = withStatistics ? this.seasonStats(s.id, nowMs) : null;
		let next = Infinity;
		let prev = -Infinity;
		let lastAiredDay: string | null = null;
		const totals = {
			seasonCount: 0,
			episodeFileCount: 0,
			episodeCount: 0,
			totalEpisodeCount: 0,
			sizeOnDisk: 0
		};
		const groups = new Set<string>();
		const seasons: JsonObject[] = s.seasons.map((season) => {
			if (!stats) {
				return { seasonNumber: season.seasonNumber, monitored: season.monitored };
			}
			const st = stats.get(season.seasonNumber);
			if (season.seasonNumber > 0) {
				totals.seasonCount++;
			}
			if (st) {
				next = Math.min(next, st.next);
				prev = Math.max(prev, st.prev);
				if (st.lastAiredDay !== null && (lastAiredDay === null || st.lastAiredDay > lastAiredDay)) {
					lastAiredDay = st.lastAiredDay;
				}
				totals.episodeFileCount += st.fileCount;
				totals.episodeCount += st.episodeCount;
				totals.totalEpisodeCount += st.total;
				totals.sizeOnDisk += st.size;
				for (const g of st.groups) {
					groups.add(g);
				}
			}
			return {
				seasonNumber: season.seasonNumber,
				monitored: season.monitored,
				statistics: {
					nextAiring: st && st.next !== Infinity ? wireDate(new Date(st.next)) : undefined,
					previousAiring: st && st.prev !== -Infinity ? wireDate(new Date(st.prev)) : undefined,
					episodeFileCount: st?.fileCount ?? 0,
					episodeCount: st?.episodeCount ?? 0,
					totalEpisodeCount: st?.total ?? 0,
					sizeOnDisk: st?.size ?? 0,
					releaseGroups: [...(st?.groups ?? [])],
					percentOfEpisodes: st && st.episodeCount > 0 ? (st.fileCount / st.episodeCount) * 100 : 0
				}
			};
		});
		const eps = this.index().episodesBySeries.get(s.id) ?? [];
		let firstAired = Infinity;
		for (const e of eps) {
			if (e.seasonNumber > 0 && e.airDateUtc && e.airDateUtc.getTime() < firstAired) {
				firstAired = e.airDateUtc.getTime();
			}
		}
		const base = this.settings.urlBase;
		const lastAired: string | null = lastAiredDay;
		const resource: JsonObject = {
			title: s.title,
			alternateTitles: [],
			sortTitle: s.sortTitle,
			status: s.status,
			ended: s.status === 'ended',
			overview: s.overview,
			nextAiring: next !== Infinity ? wireDate(new Date(next)) : undefined,
			previousAiring: prev !== -Infinity ? wireDate(new Date(prev)) : undefined,
			network: s.network,
			airTime: s.airTime,
			images: [
				mediaCover(base, s.id, 'banner', `${TVDB}/graphical/${s.tvdbId}-g.jpg`),
				mediaCover(base, s.id, 'poster', `${TVDB}/posters/${s.tvdbId}-1.jpg`),
				mediaCover(base, s.id, 'fanart', `${TVDB}/fanart/original/${s.tvdbId}-1.jpg`)
			],
			originalLanguage: { ...s.originalLanguage },
			remotePoster: `${TVDB}/posters/${s.tvdbId}-1.jpg`,
			seasons,
			year: s.year,
			path: s.path,
			qualityProfileId: s.qualityProfileId,
			seasonFolder: s.seasonFolder,
			monitored: s.monitored,
			monitorNewItems: s.monitorNewItems,
			useSceneNumbering: false,
			runtime: s.runtime,
			tvdbId: s.tvdbId,
			tvRageId: s.tvRageId,
			tvMazeId: s.tvMazeId,
			tmdbId: s.tmdbId,
			firstAired: firstAired !== Infinity ? wireDate(new Date(firstAired)) : undefined,
			lastAired: stats && lastAired !== null ? `${lastAired}T00:00:00Z` : undefined,
			seriesType: s.seriesType,
			cleanTitle: s.cleanTitle,
			imdbId: s.imdbId ?? undefined,
			titleSlug: s.titleSlug,
			rootFolderPath: s.rootFolderPath,
			certification: s.certification ?? undefined,
			genres: [...s.genres],
			tags: [...s.tags],
			added: wireDate(s.added),
			ratings: { votes: s.ratings.votes, value: s.ratings.value },
			statistics: stats
				? {
						seasonCount: totals.seasonCount,
						episodeFileCount: totals.episodeFileCount,
						episodeCount: totals.episodeCount,
						totalEpisodeCount: totals.totalEpisodeCount,
						sizeOnDisk: totals.sizeOnDisk,
						releaseGroups: [...groups],
						percentOfEpisodes:
							totals.episodeCount > 0 ? (totals.episodeFileCount / totals.episodeCount) * 100 : 0
					}
				: undefined,
			languageProfileId: 1,
			id: s.id
		};
		if (this.whisparr) {
			for (const key of WHISPARR_V2_SERIES_ABSENT) {
				resource[key] = undefined;
			}
		}
		return resource;
	}

	/** `EpisodeFileResource` (v4 shape: `languages[]`, `quality`, `mediaInfo`, `qualityCutoffNotMet`). */
	episodeFileResource(f: SimEpisodeFile): JsonObject {
		const q = SONARR_QUALITIES.get(f.qualityId) ?? {
			id: 0,
			name: 'Unknown',
			source: 'unknown',
			resolution: 0
		};
		return {
			seriesId: f.seriesId,
			seasonNumber: f.seasonNumber,
			relativePath: f.relativePath,
			path: f.path,
			size: f.size,
			dateAdded: wireDate(f.dateAdded),
			sceneName: f.sceneName ?? undefined,
			releaseGroup: f.releaseGroup,
			languages: f.languages.map((l) => ({ id: l.id, name: l.name })),
			quality: {
				quality: { id: q.id, name: q.name, source: q.source, resolution: q.resolution },
				revision: { version: 1, real: 0, isRepack: false }
			},
			customFormats: [],
			customFormatScore: 0,
			// Whisparr v2's EpisodeFileResource has neither.
			indexerFlags: this.whisparr ? undefined : 0,
			releaseType: this.whisparr ? undefined : 'singleEpisode',
			mediaInfo: {
				audioBitrate: 384_000,
				audioChannels: 5.1,
				audioCodec: 'EAC3',
				audioLanguages: f.languages.map((l) => l.name.slice(0, 3).toLowerCase()).join('/'),
				audioStreamCount: 1,
				videoBitDepth: 8,
				videoBitrate: 0,
				videoCodec: 'h264',
				videoFps: 23.976,
				videoDynamicRange: '',
				videoDynamicRangeType: '',
				resolution:
					q.resolution >= 1080 ? '1920x1080' : q.resolution >= 720 ? '1280x720' : '720x480',
				runTime: '42:10',
				scanType: 'Progressive',
				subtitles: 'eng'
			},
			qualityCutoffNotMet: f.qualityCutoffNotMet,
			id: f.id
		};
	}

	/**
	 * `EpisodeResource`, optionally with the embedded series / episode file. Whisparr v2 writes a
	 * scene instead: no `episodeNumber`, `airDate`, `airDateUtc`, `lastSearchTime`, `finaleType` or
	 * scene numbering; `releaseDate` ("yyyy-MM-dd", DateOnly on the wire), `seriesTitle`,
	 * `actors[]` and `grabbed` instead.
	 */
	episodeResource(
		e: SimEpisode,
		opts: { series?: boolean; episodeFile?: boolean; images?: boolean; nowMs: number }
	): JsonObject {
		const ix = this.index();
		const series = opts.series ? ix.seriesById.get(e.seriesId) : undefined;
		const file =
			opts.episodeFile && e.episodeFileId > 0 ? ix.fileById.get(e.episodeFileId) : undefined;
		if (this.whisparr) {
			return {
				seriesId: e.seriesId,
				tvdbId: e.tvdbId,
				episodeFileId: e.episodeFileId,
				seasonNumber: e.seasonNumber,
				title: e.title,
				releaseDate: e.airDate ?? undefined,
				runtime: e.runtime,
				overview: e.overview ?? undefined,
				episodeFile: file ? this.episodeFileResource(file) : undefined,
				hasFile: e.episodeFileId > 0,
				monitored: e.monitored,
				absoluteEpisodeNumber: e.absoluteEpisodeNumber ?? undefined,
				seriesTitle: ix.seriesById.get(e.seriesId)?.title,
				series: series ? this.seriesResource(series, opts.nowMs, false) : undefined,
				actors: this.actorsOf(e),
				images: opts.images ? [] : undefined,
				grabbed: false,
				id: e.id
			};
		}
		return {
			seriesId: e.seriesId,
			tvdbId: e.tvdbId,
			episodeFileId: e.episodeFileId,
			seasonNumber: e.seasonNumber,
			episodeNumber: e.episodeNumber,
			title: e.title,
			airDate: e.airDate ?? undefined,
			airDateUtc: wireDate(e.airDateUtc),
			lastSearchTime:
				this.settings.lastSearchTime === false ? undefined : wireDate(e.lastSearchTime),
			runtime: e.runtime,
			finaleType: e.finaleType ?? undefined,
			overview: e.overview ?? undefined,
			episodeFile: file ? this.episodeFileResource(file) : undefined,
			hasFile: e.episodeFileId > 0,
			monitored: e.monitored,
			absoluteEpisodeNumber: e.absoluteEpisodeNumber ?? undefined,
			unverifiedSceneNumbering: false,
			series: series ? this.seriesResource(series, opts.nowMs, false) : undefined,
			images: opts.images ? [] : undefined,
			id: e.id
		};
	}

	/** 1–3 performers of a Whisparr v2 scene (`Actor`), derived from the seed and the scene's tvdbId. */
	private actorsOf(e: SimEpisode): JsonObject[] {
		const n = 1 + (hashInts(this.settings.seed, e.tvdbId, 0xac7) % 3);
		const out: JsonObject[] = [];
		for (let i = 0; i < n; i++) {
			const h = hashInts(this.settings.seed, e.tvdbId, 0xac7, i);
			out.push({
				tpdbId: 10_000 + (h % 90_000),
				name: `${PERFORMER_FIRST[h % PERFORMER_FIRST.length] ?? 'Alex'} ${PERFORMER_LAST[(h >>> 8) % PERFORMER_LAST.length] ?? 'Stone'}`,
				gender: PERFORMER_GENDERS[(h >>> 16) % PERFORMER_GENDERS.length] ?? 'female',
				images: []
			});
		}
		return out;
	}

	// ---- HTTP ----------------------------------------------------------------------------

	/** Routes Sonarr-only endpoints; `null` when the path is not one of them. */
	handle(req: AppRequest): Response | null {
		const [a, b, c] = req.segments;
		const q = req.query;
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			return a === 'series' || a === 'episode' || a === 'episodefile' || a === 'wanted'
				? new Response(null, { status: 405 })
				: null;
		}
		if (a === 'series' && c === undefined) {
			if (b === undefined) {
				const tvdbId = queryInt(q.tvdbid);
				if (tvdbId === null) {
					return badQueryValue('tvdbId', q.tvdbid);
				}
				const list =
					tvdbId === undefined ? this.series : this.series.filter((s) => s.tvdbId === tvdbId);
				return jsonResponse(list.map((s) => this.seriesResource(s, req.nowMs, true)));
			}
			const s = this.getSeries(Number(b));
			return s ? jsonResponse(this.seriesResource(s, req.nowMs, true)) : notFound();
		}
		if (a === 'episode' && c === undefined) {
			if (b !== undefined) {
				const e = this.getEpisode(Number(b));
				return e
					? jsonResponse(
							this.episodeResource(e, {
								series: true,
								episodeFile: true,
								images: true,
								nowMs: req.nowMs
							})
						)
					: notFound();
			}
			return this.listEpisodes(req);
		}
		if (a === 'episodefile' && c === undefined) {
			if (b !== undefined) {
				const f = this.getEpisodeFile(Number(b));
				return f ? jsonResponse(this.episodeFileResource(f)) : notFound();
			}
			const seriesId = queryInt(q.seriesid);
			if (seriesId === null) {
				return badQueryValue('seriesId', q.seriesid);
			}
			const fileIds = queryIntList(q.episodefileids);
			if (fileIds === null) {
				return badQueryValue('episodeFileIds', q.episodefileids);
			}
			if (seriesId === undefined && fileIds.length === 0) {
				return errorResponse(400, 'seriesId or episodeFileIds must be provided');
			}
			if (seriesId !== undefined) {
				if (!this.getSeries(seriesId)) {
					return notFound();
				}
				const files = this.episodesOf(seriesId)
					.map((e) => (e.episodeFileId > 0 ? this.getEpisodeFile(e.episodeFileId) : undefined))
					.filter((f): f is SimEpisodeFile => f !== undefined)
					.sort((x, y) => x.id - y.id);
				return jsonResponse(files.map((f) => this.episodeFileResource(f)));
			}
			const files = fileIds
				.map((id) => this.getEpisodeFile(id))
				.filter((f): f is SimEpisodeFile => f !== undefined);
			return jsonResponse(files.map((f) => this.episodeFileResource(f)));
		}
		if (a === 'wanted' && (b === 'missing' || b === 'cutoff') && c === undefined) {
			return this.wantedPage(req, b);
		}
		if (a === 'history' && b === 'since' && c === undefined) {
			return this.history.since(req, SONARR_HISTORY_EVENTS);
		}
		return null;
	}

	private listEpisodes(req: AppRequest): Response {
		const q = req.query;
		const seriesId = queryInt(q.seriesid);
		if (seriesId === null) {
			return badQueryValue('seriesId', q.seriesid);
		}
		const seasonNumber = queryInt(q.seasonnumber);
		if (seasonNumber === null) {
			return badQueryValue('seasonNumber', q.seasonnumber);
		}
		const episodeIds = queryIntList(q.episodeids);
		if (episodeIds === null) {
			return badQueryValue('episodeIds', q.episodeids);
		}
		const episodeFileId = queryInt(q.episodefileid);
		if (episodeFileId === null) {
			return badQueryValue('episodeFileId', q.episodefileid);
		}
		const flags: Record<'series' | 'episodeFile' | 'images', boolean> = {
			series: false,
			episodeFile: false,
			images: false
		};
		const includes = [
			['includeseries', 'series'],
			['includeepisodefile', 'episodeFile'],
			['includeimages', 'images']
		] as const;
		// Whisparr v2 binds only includeImages; the other two are ignored like any unknown parameter.
		for (const [key, name] of this.whisparr ? includes.slice(2) : includes) {
			const v = queryBool(q[key]);
			if (v === null) {
				return badQueryValue(key, q[key]);
			}
			flags[name] = v ?? false;
		}
		let list: SimEpisode[];
		if (seriesId !== undefined) {
			list = this.episodesOf(seriesId);
			if (seasonNumber !== undefined) {
				list = list.filter((e) => e.seasonNumber === seasonNumber);
			}
		} else if (episodeIds.length > 0) {
			list = episodeIds
				.map((id) => this.getEpisode(id))
				.filter((e): e is SimEpisode => e !== undefined);
		} else if (episodeFileId !== undefined) {
			list = this.episodes.filter((e) => e.episodeFileId === episodeFileId && episodeFileId > 0);
		} else {
			return errorResponse(400, 'seriesId or episodeIds must be provided');
		}
		return jsonResponse(list.map((e) => this.episodeResource(e, { ...flags, nowMs: req.nowMs })));
	}

	private wantedPage(req: AppRequest, kind: 'missing' | 'cutoff'): Response {
		const q = req.query;
		const paging = this.whisparr
			? parsePaging(q, ['releaseDate', 'episodes.airDateUtc', 'series.sortTitle'], 'releaseDate')
			: parsePaging(
					q,
					this.settings.lastSearchTime === false
						? ['episodes.airDateUtc', 'series.sortTitle']
						: ['episodes.airDateUtc', 'episodes.lastSearchTime', 'series.sortTitle'],
					'episodes.airDateUtc'
				);
		if (paging instanceof Response) {
			return paging;
		}
		const monitored = queryBool(q.monitored);
		if (monitored === null) {
			return badQueryValue('monitored', q.monitored);
		}
		const includeSeries = queryBool(q.includeseries);
		const includeFile = kind === 'cutoff' ? queryBool(q.includeepisodefile) : false;
		const includeImages = queryBool(q.includeimages);
		if (includeSeries === null || includeFile === null || includeImages === null) {
			return badQueryValue('include', q.includeseries);
		}
		let ordered = this.wanted(kind, monitored ?? true, req.nowMs);
		if (paging.sortKey === 'episodes.lastSearchTime') {
			ordered = [...ordered].sort(
				(x, y) =>
					(x.lastSearchTime?.getTime() ?? -Infinity) - (y.lastSearchTime?.getTime() ?? -Infinity) ||
					cmpAir(x, y)
			);
		} else if (paging.sortKey === 'series.sortTitle') {
			const ix = this.index();
			ordered = [...ordered].sort((x, y) => {
				const tx = ix.seriesById.get(x.seriesId)?.sortTitle ?? '';
				const ty = ix.seriesById.get(y.seriesId)?.sortTitle ?? '';
				return (tx < ty ? -1 : tx > ty ? 1 : 0) || cmpAir(x, y);
			});
		}
		if (paging.sortDirection === 'descending') {
			// `ordered` is always a fresh array here, so reversing in place is safe.
			ordered.reverse();
		}
		const opts = {
			series: includeSeries ?? false,
			episodeFile: includeFile ?? false,
			images: includeImages ?? false,
			nowMs: req.nowMs
		};
		return jsonResponse(pageOf(ordered, paging, (e) => this.episodeResource(e, opts)));
	}
}

function cmpAir(x: SimEpisode, y: SimEpisode): number {
	return (
		(x.airDateUtc?.getTime() ?? -Infinity) - (y.airDateUtc?.getTime() ?? -Infinity) || x.id - y.id
	);
}

/** A command that failed on a missing model (ids grabbed before the failure still count). */
export function notFoundOutcome(message: string, grabbedIds: number[] = []): CommandOutcome {
	return {
		ok: false,
		message,
		exception: `NzbDrone.Core.Datastore.ModelNotFoundException: ${message}`,
		grabbedIds
	};
}

/** Removes matching items in place (keeps the array identity), O(n). */
export function removeWhere<T>(arr: T[], pred: (item: T) => boolean): number {
	let w = 0;
	for (let r = 0; r < arr.length; r++) {
		const item = arr[r] as T;
		if (!pred(item)) {
			arr[w++] = item;
		}
	}
	const removed = arr.length - w;
	arr.length = w;
	return removed;
}
