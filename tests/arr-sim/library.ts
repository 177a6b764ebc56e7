/**
 * Seeded library generator and the simulator's internal model.
 *
 * The model is a set of plain, mutable objects (no classes) that the HTTP layer turns into
 * Sonarr/Radarr resources on every request. Dates are `Date` objects (UTC instants) or `null`;
 * "no file" is `episodeFileId === 0` / `movieFileId === 0`, exactly as in the *arr databases.
 *
 * Generation is deterministic: the same seed, the same counts and the same UTC day of the clock
 * give an identical library. Every series/movie is generated from its own PRNG stream derived
 * from `(seed, index)`, so adding items later does not change earlier ones. All air dates and
 * release dates are placed relative to midnight UTC of the clock's current day (the "anchor").
 */

/** Sonarr `SeriesStatusType` values the generator uses. */
export type SeriesStatus = 'continuing' | 'ended' | 'upcoming';
/** Radarr `MovieStatusType` values usable as `minimumAvailability`. */
export type MinimumAvailability = 'tba' | 'announced' | 'inCinemas' | 'released';
/** `{id, name}` as in the specs' `Language` schema. */
export interface SimLanguage {
	id: number;
	name: string;
}

/** A season of a series; unmonitored seasons have all their episodes unmonitored. */
export interface SimSeason {
	seasonNumber: number;
	monitored: boolean;
}

/** Internal model of a Sonarr series (fields mirror `SeriesResource`; statistics are computed). */
export interface SimSeries {
	id: number;
	title: string;
	sortTitle: string;
	cleanTitle: string;
	titleSlug: string;
	status: SeriesStatus;
	overview: string;
	network: string;
	/** Local air time `HH:mm` in the network's zone. */
	airTime: string;
	year: number;
	path: string;
	rootFolderPath: string;
	qualityProfileId: number;
	seasonFolder: boolean;
	monitored: boolean;
	monitorNewItems: 'all' | 'none';
	/** Minutes; `wanted/missing` waits `airDateUtc + runtime` before an episode counts as missing. */
	runtime: number;
	tvdbId: number;
	tvRageId: number;
	tvMazeId: number;
	tmdbId: number;
	imdbId: string | null;
	seriesType: 'standard' | 'daily' | 'anime';
	certification: string | null;
	genres: string[];
	tags: number[];
	originalLanguage: SimLanguage;
	added: Date;
	ratings: { votes: number; value: number };
	seasons: SimSeason[];
}

/** Internal model of a Sonarr episode (fields mirror `EpisodeResource`). */
export interface SimEpisode {
	id: number;
	seriesId: number;
	tvdbId: number;
	seasonNumber: number;
	episodeNumber: number;
	/** Only for anime series. */
	absoluteEpisodeNumber: number | null;
	title: string;
	overview: string | null;
	/** Local calendar day `yyyy-MM-dd`, `null` when the air date is unknown (TBA). */
	airDate: string | null;
	airDateUtc: Date | null;
	/** Minutes (copied from the series). */
	runtime: number;
	monitored: boolean;
	/** 0 = no file. */
	episodeFileId: number;
	lastSearchTime: Date | null;
	finaleType: 'series' | 'season' | 'midseason' | null;
}

/** Internal model of a Sonarr episode file; exactly one episode points at each file. */
export interface SimEpisodeFile {
	id: number;
	seriesId: number;
	seasonNumber: number;
	episodeId: number;
	relativePath: string;
	path: string;
	/** Bytes. */
	size: number;
	dateAdded: Date;
	sceneName: string | null;
	releaseGroup: string;
	/** Key of {@link SONARR_QUALITIES}. */
	qualityId: number;
	languages: SimLanguage[];
	qualityCutoffNotMet: boolean;
}

/** Internal model of a Radarr movie (fields mirror `MovieResource`; status/isAvailable computed). */
export interface SimMovie {
	id: number;
	title: string;
	originalTitle: string;
	sortTitle: string;
	cleanTitle: string;
	titleSlug: string;
	overview: string;
	year: number;
	studio: string;
	path: string;
	rootFolderPath: string;
	folderName: string;
	qualityProfileId: number;
	monitored: boolean;
	minimumAvailability: MinimumAvailability;
	inCinemas: Date | null;
	digitalRelease: Date | null;
	physicalRelease: Date | null;
	/** Minutes. */
	runtime: number;
	imdbId: string | null;
	tmdbId: number;
	certification: string | null;
	genres: string[];
	tags: number[];
	originalLanguage: SimLanguage;
	added: Date;
	ratings: { imdb: { votes: number; value: number }; tmdb: { votes: number; value: number } };
	popularity: number;
	youTubeTrailerId: string | null;
	website: string | null;
	/** 0 = no file. */
	movieFileId: number;
	lastSearchTime: Date | null;
	/** Whisparr v3 only (absent on Radarr): a scene or a full movie. */
	itemType?: 'movie' | 'scene';
	/** Whisparr v3 only: StashDB id (a UUID), `null` when the item is not on StashDB. */
	stashId?: string | null;
	/** Whisparr v3 only: id at the metadata source (the stashId for scenes, the tmdbId for movies). */
	foreignId?: string;
	/** Whisparr v3 only: the studio's release code (e.g. 'BRZ-0142'), `null` when none. */
	code?: string | null;
}

/** Internal model of a Radarr movie file. */
export interface SimMovieFile {
	id: number;
	movieId: number;
	relativePath: string;
	path: string;
	/** Bytes. */
	size: number;
	dateAdded: Date;
	sceneName: string | null;
	releaseGroup: string;
	edition: string | null;
	/** Key of {@link RADARR_QUALITIES}. */
	qualityId: number;
	languages: SimLanguage[];
	qualityCutoffNotMet: boolean;
}

/** Quality definition as in the specs' `Quality` schema (Radarr adds `modifier`). */
export interface SimQuality {
	id: number;
	name: string;
	source: string;
	resolution: number;
	modifier?: string;
}

/** A quality profile: ordered items (low → high), the cutoff, and the files' quality pools. */
export interface SimQualityProfile {
	id: number;
	name: string;
	cutoff: number;
	/** Each item is a quality id, or a group `{id, name, qualities}`; `allowed` per item. */
	items: Array<
		| { qualityId: number; allowed: boolean }
		| { groupId: number; name: string; qualityIds: number[]; allowed: boolean }
	>;
	/** Qualities a generated file may have when the cutoff is met / not met. */
	meets: number[];
	below: number[];
}

/** Sonarr quality definitions (ids and sources of Sonarr v4). */
export const SONARR_QUALITIES: ReadonlyMap<number, SimQuality> = new Map(
	(
		[
			[1, 'SDTV', 'television', 480],
			[2, 'DVD', 'dvd', 480],
			[3, 'WEBDL-1080p', 'web', 1080],
			[4, 'HDTV-720p', 'television', 720],
			[5, 'WEBDL-720p', 'web', 720],
			[6, 'Bluray-720p', 'bluray', 720],
			[7, 'Bluray-1080p', 'bluray', 1080],
			[9, 'HDTV-1080p', 'television', 1080],
			[14, 'WEBRip-720p', 'webRip', 720],
			[15, 'WEBRip-1080p', 'webRip', 1080]
		] as const
	).map(([id, name, source, resolution]) => [id, { id, name, source, resolution }])
);

/** Radarr quality definitions (ids, sources and modifiers of Radarr v6). */
export const RADARR_QUALITIES: ReadonlyMap<number, SimQuality> = new Map(
	(
		[
			[3, 'WEBDL-1080p', 'webdl', 1080, 'none'],
			[7, 'Bluray-1080p', 'bluray', 1080, 'none'],
			[9, 'HDTV-1080p', 'tv', 1080, 'none'],
			[15, 'WEBRip-1080p', 'webrip', 1080, 'none'],
			[17, 'WEBRip-2160p', 'webrip', 2160, 'none'],
			[18, 'WEBDL-2160p', 'webdl', 2160, 'none'],
			[19, 'Bluray-2160p', 'bluray', 2160, 'none'],
			[30, 'Remux-1080p', 'bluray', 1080, 'remux'],
			[31, 'Remux-2160p', 'bluray', 2160, 'remux']
		] as const
	).map(([id, name, source, resolution, modifier]) => [
		id,
		{ id, name, source, resolution, modifier }
	])
);

/** Sonarr's two profiles: `HD-720p` (cutoff: WEB 720p group) and `HD-1080p` (cutoff: WEB 1080p). */
export const SONARR_PROFILES: readonly SimQualityProfile[] = [
	{
		id: 1,
		name: 'HD-720p',
		cutoff: 1001,
		items: [
			{ qualityId: 1, allowed: false },
			{ qualityId: 4, allowed: true },
			{ groupId: 1001, name: 'WEB 720p', qualityIds: [14, 5], allowed: true },
			{ qualityId: 6, allowed: true }
		],
		meets: [5, 14, 6],
		below: [4]
	},
	{
		id: 2,
		name: 'HD-1080p',
		cutoff: 1002,
		items: [
			{ qualityId: 1, allowed: false },
			{ qualityId: 9, allowed: true },
			{ groupId: 1002, name: 'WEB 1080p', qualityIds: [15, 3], allowed: true },
			{ qualityId: 7, allowed: true }
		],
		meets: [3, 15, 7],
		below: [9]
	}
];

/** Radarr's two profiles: `HD-1080p` (cutoff Bluray-1080p) and `Ultra-HD` (cutoff Remux-2160p). */
export const RADARR_PROFILES: readonly SimQualityProfile[] = [
	{
		id: 1,
		name: 'HD-1080p',
		cutoff: 7,
		items: [
			{ qualityId: 9, allowed: true },
			{ groupId: 1001, name: 'WEB 1080p', qualityIds: [15, 3], allowed: true },
			{ qualityId: 7, allowed: true },
			{ qualityId: 30, allowed: false }
		],
		meets: [7],
		below: [9, 3, 15]
	},
	{
		id: 2,
		name: 'Ultra-HD',
		cutoff: 31,
		items: [
			{ groupId: 1002, name: 'WEB 2160p', qualityIds: [17, 18], allowed: true },
			{ qualityId: 19, allowed: true },
			{ qualityId: 31, allowed: true }
		],
		meets: [31],
		below: [18, 17, 19]
	}
];

/** Language id 1 as in both apps. */
export const ENGLISH: SimLanguage = { id: 1, name: 'English' };
const JAPANESE: SimLanguage = { id: 8, name: 'Japanese' };
const FRENCH: SimLanguage = { id: 2, name: 'French' };

const DAY = 86_400_000;
const MINUTE = 60_000;

/** mulberry32: a tiny, fast, seedable PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}

/** Mixes integers into one 32-bit hash (murmur3 finalizer per step). */
export function hashInts(...values: number[]): number {
	let h = 0x811c9dc5;
	for (const v of values) {
		h ^= v >>> 0;
		h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
		h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
		h ^= h >>> 16;
	}
	return h >>> 0;
}

/** A deterministic float in [0, 1) for a tuple of integers (used for per-item grab decisions). */
export function hashUnit(...values: number[]): number {
	return hashInts(...values) / 4_294_967_296;
}

/** Small helper around a PRNG stream. */
export class Rng {
	readonly next: () => number;
	constructor(seed: number) {
		this.next = mulberry32(seed);
	}
	/** Integer in [min, max] inclusive. */
	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}
	/** True with probability `p`. */
	chance(p: number): boolean {
		return this.next() < p;
	}
	/** A uniformly chosen item. @throws on an empty list */
	pick<T>(items: readonly T[]): T {
		const item = items[Math.floor(this.next() * items.length)];
		if (item === undefined) {
			throw new Error('pick from empty list');
		}
		return item;
	}
}

/** Titles with non-ASCII text and HTML-ish markup, used for a few series (ids 2, 4, 6, …). */
export const SPECIAL_SERIES_TITLES: readonly string[] = [
	'Pokémon: Horizons',
	'東京 Nights',
	'Ørsted & Sønner',
	'<b>Bold</b> & "Quotes"',
	'Señora Ávila',
	'Очень странные дела',
	'🚀 Rocket Boys',
	"L'École des Femmes"
];

/** Same for movies (ids 2, 4, 6, …). */
export const SPECIAL_MOVIE_TITLES: readonly string[] = [
	'Amélie',
	'千と千尋の神隠し',
	'Ørkenens Sønner',
	'<i>Italic</i> & "Friends"',
	'Léon: The Professional',
	'Zoë & Ève',
	'Straße der Wünsche',
	'😀 Emoji Movie'
];

/** Same for episodes: S01E01 of series 1 and 3, plus ~2% of all episodes. */
export const SPECIAL_EPISODE_TITLES: readonly string[] = [
	'Pikachu & Évoli',
	'東京タワー',
	'<script>alert("x")</script> & <b>Bold</b>',
	'Søren\'s "Big" Day',
	'Ça va? — Ñandú',
	'Zürich → Köln'
];

const ADJECTIVES = [
	'Silent',
	'Broken',
	'Golden',
	'Hidden',
	'Last',
	'Northern',
	'Crimson',
	'Quiet',
	'Iron',
	'Lost',
	'Wild',
	'Hollow',
	'Bright',
	'Frozen',
	'Distant',
	'Savage',
	'Gentle',
	'Burning',
	'Secret',
	'Endless',
	'Electric',
	'Velvet',
	'Paper',
	'Glass',
	'Midnight',
	'Southern',
	'Little',
	'Grand',
	'Haunted',
	'Royal'
];
const NOUNS = [
	'Harbor',
	'Kingdom',
	'Detective',
	'Empire',
	'Garden',
	'Frontier',
	'Signal',
	'Witness',
	'Valley',
	'Station',
	'Orchard',
	'Legacy',
	'Tide',
	'Verdict',
	'Circuit',
	'Shadows',
	'Crown',
	'Republic',
	'Horizon',
	'Archive',
	'Lighthouse',
	'Doctors',
	'Outlaws',
	'Academy',
	'Diaries',
	'Precinct',
	'Mountain',
	'River',
	'Machine',
	'Island'
];
const PATTERNS = ['The {A} {N}', '{A} {N}', '{N} of the {A}', 'The {N}', '{A} {N}s'];
const NETWORKS = [
	'HBO',
	'AMC',
	'BBC One',
	'NBC',
	'FX',
	'Netflix',
	'Apple TV+',
	'Fuji TV',
	'Canal+',
	'ABC'
];
const STUDIOS = [
	'A24',
	'Warner Bros. Pictures',
	'Studio Ghibli',
	'Neon',
	'Focus Features',
	'Gaumont',
	'Toho'
];
const GENRES = [
	'Drama',
	'Comedy',
	'Crime',
	'Thriller',
	'Science Fiction',
	'Animation',
	'Documentary',
	'Mystery',
	'Fantasy'
];
const RELEASE_GROUPS = [
	'NTb',
	'FLUX',
	'CAKES',
	'SiGMA',
	'EDITH',
	'KOGi',
	'playWEB',
	'SuccessfulCrab',
	'Ghost'
];
const EPISODE_WORDS = [
	'Pilot',
	'Reunion',
	'Homecoming',
	'The Offer',
	'Crossroads',
	'Aftermath',
	'Blackout',
	'Ghosts',
	'The Deal',
	'Exit'
];

/** Sonarr/Radarr `sortTitle`: lower case without a leading article. */
export function sortTitleOf(title: string): string {
	return title.toLowerCase().replace(/^(the|a|an) /, '');
}
/** Sonarr/Radarr `cleanTitle`: lower-case letters and digits only (any script). */
export function cleanTitleOf(title: string): string {
	return title.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}
/** ASCII URL slug of a title (accents folded, markup dropped), `fallback` when nothing is left. */
export function slugOf(title: string, fallback: string): string {
	const slug = title
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/<[^>]*>/g, '')
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '');
	return slug === '' ? fallback : slug;
}
function folderOf(title: string): string {
	return title.replace(/[<>:"/\\|?*]/g, '').trim();
}

function genTitle(rng: Rng): string {
	return rng.pick(PATTERNS).replace('{A}', rng.pick(ADJECTIVES)).replace('{N}', rng.pick(NOUNS));
}

/** Midnight UTC of the day containing `now` (the anchor for every generated date). */
export function anchorOf(now: Date): number {
	return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
}

/** Id counters of one library; ids start at 1 and are never reused. */
export interface IdCounters {
	series: number;
	episode: number;
	episodeFile: number;
	movie: number;
	movieFile: number;
}

/** Fresh id counters (the first id handed out is 1). */
export function newCounters(): IdCounters {
	return { series: 0, episode: 0, episodeFile: 0, movie: 0, movieFile: 0 };
}

/** Knobs for one generated series (all optional; unset ones are drawn from the PRNG). */
export interface SeriesShape {
	/** Kind of timeline: fully aired, last season airing now (with TBA episodes), or all in the future. */
	kind?: 'ended' | 'continuing' | 'upcoming';
	/** Regular seasons (1..8 by default). */
	seasons?: number;
	/** Episodes per regular season (6..24 by default). */
	episodesPerSeason?: number;
	/** Share (0..1) of aired episodes without a file; default drawn per season. */
	missingRatio?: number;
	/** Share (0..1) of files below the profile cutoff; default drawn per season. */
	cutoffUnmetRatio?: number;
	/** Add a season 0 with specials. */
	specials?: boolean;
}

/** Output of one generated series. */
export interface GeneratedSeries {
	series: SimSeries;
	episodes: SimEpisode[];
	files: SimEpisodeFile[];
}

/**
 * Generates series number `index` (1-based) of a library.
 * @param anchorMs midnight UTC of the generation day
 * @param nowMs the clock (files only exist for episodes aired before it)
 * @param rootFolder root folder of the series paths (Whisparr v2 uses '/sites')
 */
export function generateSeries(
	seed: number,
	index: number,
	ids: IdCounters,
	anchorMs: number,
	nowMs: number,
	shape: SeriesShape = {},
	rootFolder = '/tv'
): GeneratedSeries {
	const rng = new Rng(hashInts(seed, 0x5e7, index));
	const id = ++ids.series;
	const special =
		index % 2 === 0
			? SPECIAL_SERIES_TITLES[(index / 2 - 1) % SPECIAL_SERIES_TITLES.length]
			: undefined;
	const title = special ?? genTitle(rng);
	const kindRoll = rng.next();
	const kind =
		shape.kind ?? (kindRoll < 0.45 ? 'ended' : kindRoll < 0.9 ? 'continuing' : 'upcoming');
	const seasonCount = shape.seasons ?? (kind === 'upcoming' ? 1 : rng.int(1, 8));
	const runtime = rng.pick([22, 25, 30, 43, 45, 60]);
	const anime = rng.chance(0.08);
	const network = anime ? 'Fuji TV' : rng.pick(NETWORKS);
	// Local air time in the network's zone; utcOffset converts it to airDateUtc.
	const airHour = rng.int(18, 22);
	const airMinute = rng.pick([0, 0, 30]);
	const utcOffset = anime ? 9 : rng.pick([-5, -5, -8, 0, 1]);
	const tvdbId = 70_000 + (hashInts(seed, index, 1) % 400_000);
	const monitored = rng.chance(0.85);
	const profile = rng.pick(SONARR_PROFILES);
	const language = anime ? JAPANESE : rng.chance(0.05) ? FRENCH : ENGLISH;

	// Timeline: the day offset (relative to the anchor) of each regular season's first episode.
	const epsPerSeason: number[] = [];
	for (let s = 0; s < seasonCount; s++) {
		epsPerSeason.push(shape.episodesPerSeason ?? rng.int(6, 24));
	}
	const seasonStart: number[] = [];
	let tbaTail = 0; // TBA episodes at the end of the last season
	if (kind === 'ended') {
		const lastEpisodeDay = -rng.int(60, 5000);
		let day = lastEpisodeDay;
		for (let s = seasonCount - 1; s >= 0; s--) {
			const eps = epsPerSeason[s] ?? 0;
			const start = day - (eps - 1) * 7;
			seasonStart[s] = start;
			day = start - rng.int(200, 400);
		}
	} else if (kind === 'continuing') {
		const lastEps = epsPerSeason[seasonCount - 1] ?? 0;
		const betweenSeasons = seasonCount > 1 && rng.chance(0.25);
		let lastStart: number;
		if (betweenSeasons) {
			// Last season fully aired a while ago; the next one is not announced yet.
			lastStart = -rng.int(60, 300) - (lastEps - 1) * 7;
		} else {
			// Last season is airing: `aired` episodes are out, the rest are weekly in the future.
			const aired = rng.int(1, Math.max(1, lastEps - 2));
			lastStart = -7 * (aired - 1) - rng.int(1, 6);
			tbaTail = Math.min(lastEps - aired, rng.int(0, 3));
		}
		seasonStart[seasonCount - 1] = lastStart;
		let day = lastStart;
		for (let s = seasonCount - 2; s >= 0; s--) {
			const start = day - rng.int(250, 420) - ((epsPerSeason[s] ?? 0) - 1) * 7;
			seasonStart[s] = start;
			day = start;
		}
	} else {
		const first = rng.int(3, 200);
		seasonStart[0] = first;
		tbaTail = Math.min(epsPerSeason[0] ?? 0, rng.int(1, 4));
		for (let s = 1; s < seasonCount; s++) {
			seasonStart[s] = (seasonStart[s - 1] ?? first) + 365;
		}
	}
	const airUtc = (day: number): Date =>
		new Date(anchorMs + day * DAY + (airHour * 60 + airMinute) * MINUTE - utcOffset * 60 * MINUTE);
	const localDay = (day: number): string =>
		new Date(anchorMs + day * DAY).toISOString().slice(0, 10);

	const firstDay = seasonStart[0] ?? 0;
	const year = new Date(anchorMs + firstDay * DAY).getUTCFullYear();
	const folder = `${folderOf(title) || `Series ${id}`} (${year}) [tvdbid-${tvdbId}]`;
	const series: SimSeries = {
		id,
		title,
		sortTitle: sortTitleOf(title),
		cleanTitle: cleanTitleOf(title),
		titleSlug: slugOf(title, `series-${tvdbId}`),
		status: kind,
		overview: rng.chance(0.1)
			? `A <i>remarkable</i> story of ${title} & friends — "unmissable".`
			: `${title}: ${seasonCount} season(s) of ${rng.pick(GENRES).toLowerCase()}.`,
		network,
		airTime: `${String(airHour).padStart(2, '0')}:${String(airMinute).padStart(2, '0')}`,
		year,
		path: `${rootFolder}/${folder}`,
		rootFolderPath: rootFolder,
		qualityProfileId: profile.id,
		seasonFolder: true,
		monitored,
		monitorNewItems: 'all',
		runtime,
		tvdbId,
		tvRageId: 0,
		tvMazeId: rng.chance(0.8) ? 1000 + (hashInts(seed, index, 2) % 80_000) : 0,
		tmdbId: 1000 + (hashInts(seed, index, 3) % 250_000),
		imdbId:
			kind === 'upcoming' && rng.chance(0.5)
				? null
				: `tt${String(hashInts(seed, index, 4) % 9_999_999).padStart(7, '0')}`,
		seriesType: anime ? 'anime' : 'standard',
		certification: rng.chance(0.7) ? rng.pick(['TV-14', 'TV-MA', 'TV-PG', 'TV-G']) : null,
		genres: [rng.pick(GENRES), rng.pick(GENRES)].filter((g, i, a) => a.indexOf(g) === i),
		tags: [],
		originalLanguage: language,
		added: new Date(anchorMs - rng.int(1, 900) * DAY - rng.int(0, 86_399) * 1000),
		ratings: { votes: rng.int(0, 50_000), value: Math.round(rng.next() * 100) / 10 },
		seasons: []
	};

	const episodes: SimEpisode[] = [];
	const files: SimEpisodeFile[] = [];
	const hasSpecials = shape.specials ?? (kind !== 'upcoming' && rng.chance(0.3));
	// Per-series download completeness profile.
	const profileRoll = rng.next();
	const completeness: 'complete' | 'mostly' | 'patchy' | 'empty' =
		profileRoll < 0.4
			? 'complete'
			: profileRoll < 0.65
				? 'mostly'
				: profileRoll < 0.85
					? 'patchy'
					: 'empty';

	let absolute = 0;
	let specialTitleUsed = false;
	const seasonNumbers = hasSpecials ? [0] : [];
	for (let s = 1; s <= seasonCount; s++) {
		seasonNumbers.push(s);
	}
	for (const seasonNumber of seasonNumbers) {
		const isSpecials = seasonNumber === 0;
		const seasonMonitored = isSpecials ? rng.chance(0.3) : rng.chance(0.9);
		series.seasons.push({ seasonNumber, monitored: seasonMonitored });
		const count = isSpecials ? rng.int(1, 6) : (epsPerSeason[seasonNumber - 1] ?? 0);
		const start = seasonStart[seasonNumber - 1] ?? 0;
		const isLast = seasonNumber === seasonCount;
		// Missing share for this season's aired episodes.
		let missingRatio: number;
		if (shape.missingRatio !== undefined) {
			missingRatio = shape.missingRatio;
		} else if (isSpecials) {
			missingRatio = rng.pick([0.5, 0.8, 1]);
		} else if (completeness === 'complete') {
			missingRatio = rng.chance(0.15) ? 0.05 : 0;
		} else if (completeness === 'mostly') {
			missingRatio = rng.pick([0.05, 0.1, 0.15]);
		} else if (completeness === 'patchy') {
			missingRatio = rng.chance(0.5) ? 0.5 + rng.next() * 0.5 : rng.pick([0, 0.1]);
		} else {
			missingRatio = 1;
		}
		const cutoffRatio =
			shape.cutoffUnmetRatio ?? (rng.chance(0.12) ? 1 : rng.chance(0.3) ? 0.2 : 0);

		for (let e = 1; e <= count; e++) {
			let day: number | null;
			if (isSpecials) {
				day = rng.chance(0.2) ? null : firstDay + rng.int(0, Math.max(1, -firstDay));
			} else {
				day = start + (e - 1) * 7;
				if (isLast && tbaTail > 0 && e > count - tbaTail) {
					day = null;
				}
			}
			const airDateUtc = day === null ? null : airUtc(day);
			const aired = airDateUtc !== null && airDateUtc.getTime() <= nowMs;
			let epTitle: string;
			if (day === null && !isSpecials) {
				epTitle = 'TBA';
			} else if (!specialTitleUsed && !isSpecials && (index === 1 || index === 3)) {
				epTitle = SPECIAL_EPISODE_TITLES[(index - 1) / 2] ?? 'Special';
				specialTitleUsed = true;
			} else if (rng.chance(0.02)) {
				epTitle = rng.pick(SPECIAL_EPISODE_TITLES);
			} else if (isSpecials) {
				epTitle = `Behind the Scenes ${e}`;
			} else {
				epTitle = rng.chance(0.5) ? `${rng.pick(EPISODE_WORDS)} (${e})` : `Chapter ${e}`;
			}
			if (!isSpecials && anime) {
				absolute++;
			}
			const episode: SimEpisode = {
				id: ++ids.episode,
				seriesId: id,
				tvdbId: 1_000_000 + (hashInts(seed, index, seasonNumber, e) % 9_000_000),
				seasonNumber,
				episodeNumber: e,
				absoluteEpisodeNumber: !isSpecials && anime ? absolute : null,
				title: epTitle,
				overview: day === null ? null : `Episode ${e} of season ${seasonNumber} of ${title}.`,
				airDate: day === null ? null : localDay(day),
				airDateUtc,
				runtime,
				monitored: seasonMonitored && rng.chance(0.95),
				episodeFileId: 0,
				lastSearchTime: null,
				finaleType: null
			};
			if (!isSpecials && e === count && aired) {
				episode.finaleType = kind === 'ended' && seasonNumber === seasonCount ? 'series' : 'season';
			}
			episodes.push(episode);
			if (aired) {
				// Unmonitored episodes were usually never grabbed.
				const missing = !episode.monitored ? rng.chance(0.7) : rng.next() < missingRatio;
				if (!missing) {
					const added = Math.min(
						nowMs - MINUTE,
						airDateUtc.getTime() + rng.int(1, 72 * 60) * MINUTE
					);
					files.push(
						makeEpisodeFile(rng, ids, series, episode, rng.next() < cutoffRatio, new Date(added))
					);
				}
			}
		}
	}
	return { series, episodes, files };
}

/** Knobs for one generated movie. */
export interface MovieShape {
	kind?: 'released' | 'inCinemas' | 'announced' | 'tba';
	hasFile?: boolean;
	cutoffNotMet?: boolean;
}

/** Output of one generated movie. */
export interface GeneratedMovie {
	movie: SimMovie;
	file: SimMovieFile | null;
}

/**
 * Generates movie number `index` (1-based): released (~62%), in cinemas (~14%), announced
 * (~16%) and TBA (~8%), ~15% unmonitored, ~65% of released ones with a file, ~20% of files
 * below the cutoff.
 * @param rootFolder root folder of the movie paths (Whisparr v3 uses '/scenes')
 */
export function generateMovie(
	seed: number,
	index: number,
	ids: IdCounters,
	anchorMs: number,
	nowMs: number,
	shape: MovieShape = {},
	rootFolder = '/movies'
): GeneratedMovie {
	const rng = new Rng(hashInts(seed, 0x30f1e, index));
	const id = ++ids.movie;
	const special =
		index % 2 === 0
			? SPECIAL_MOVIE_TITLES[(index / 2 - 1) % SPECIAL_MOVIE_TITLES.length]
			: undefined;
	const title = special ?? genTitle(rng);
	const roll = rng.next();
	const kind =
		shape.kind ??
		(roll < 0.62 ? 'released' : roll < 0.76 ? 'inCinemas' : roll < 0.92 ? 'announced' : 'tba');
	let inCinemas: Date | null = null;
	let digitalRelease: Date | null = null;
	let physicalRelease: Date | null = null;
	let minimumAvailability: MinimumAvailability;
	const at = (day: number): Date => new Date(anchorMs + day * DAY);
	if (kind === 'released') {
		const cinema = -rng.int(120, 9000);
		inCinemas = at(cinema);
		const shapeRoll = rng.next();
		if (shapeRoll < 0.6) {
			digitalRelease = at(cinema + rng.int(30, 100));
			physicalRelease = at(cinema + rng.int(60, 150));
		} else if (shapeRoll < 0.8) {
			physicalRelease = at(cinema + rng.int(60, 110));
		}
		// else: only inCinemas known → available via inCinemas + 90 days
		minimumAvailability = rng.pick(['released', 'released', 'released', 'inCinemas', 'announced']);
	} else if (kind === 'inCinemas') {
		const cinema = -rng.int(1, 60);
		inCinemas = at(cinema);
		if (rng.chance(0.7)) {
			digitalRelease = at(cinema + rng.int(75, 120));
		}
		minimumAvailability = rng.pick(['released', 'released', 'inCinemas', 'announced']);
	} else if (kind === 'announced') {
		const cinema = rng.int(14, 500);
		inCinemas = at(cinema);
		if (rng.chance(0.5)) {
			digitalRelease = at(cinema + rng.int(60, 120));
		}
		minimumAvailability = rng.pick(['released', 'released', 'inCinemas', 'announced']);
	} else {
		minimumAvailability = rng.pick(['released', 'announced', 'tba']);
	}
	const year = inCinemas ? inCinemas.getUTCFullYear() : new Date(anchorMs).getUTCFullYear() + 1;
	const tmdbId = 1000 + (hashInts(seed, index, 0x7d) % 900_000);
	const folderName = `${folderOf(title) || `Movie ${id}`} (${year})`;
	const profile = rng.pick(RADARR_PROFILES);
	const language = rng.chance(0.1) ? JAPANESE : rng.chance(0.06) ? FRENCH : ENGLISH;
	const movie: SimMovie = {
		id,
		title,
		originalTitle: title,
		sortTitle: sortTitleOf(title),
		cleanTitle: cleanTitleOf(title),
		titleSlug: `${slugOf(title, 'movie')}-${tmdbId}`,
		overview: rng.chance(0.1)
			? `<p>A film about ${title} & the "truth".</p>`
			: `${title} is a ${rng.pick(GENRES).toLowerCase()} film.`,
		year,
		studio: rng.pick(STUDIOS),
		path: `${rootFolder}/${folderName}`,
		rootFolderPath: rootFolder,
		folderName,
		qualityProfileId: profile.id,
		monitored: rng.chance(0.85),
		minimumAvailability,
		inCinemas,
		digitalRelease,
		physicalRelease,
		runtime: kind === 'tba' ? 0 : rng.int(80, 180),
		imdbId:
			kind === 'tba'
				? null
				: `tt${String(hashInts(seed, index, 0x1d) % 9_999_999).padStart(7, '0')}`,
		tmdbId,
		certification: rng.chance(0.7) ? rng.pick(['PG', 'PG-13', 'R', 'G']) : null,
		genres: [rng.pick(GENRES)],
		tags: [],
		originalLanguage: language,
		added: new Date(anchorMs - rng.int(1, 900) * DAY - rng.int(0, 86_399) * 1000),
		ratings: {
			imdb: { votes: rng.int(0, 900_000), value: Math.round(rng.next() * 100) / 10 },
			tmdb: { votes: rng.int(0, 30_000), value: Math.round(rng.next() * 100) / 10 }
		},
		popularity: Math.round(rng.next() * 100_000) / 1000,
		youTubeTrailerId: rng.chance(0.5)
			? `yt${String(hashInts(seed, index, 0x77) % 100_000_000)}`
			: null,
		website: rng.chance(0.3) ? `https://example.com/movies/${tmdbId}` : null,
		movieFileId: 0,
		lastSearchTime: null
	};
	let file: SimMovieFile | null = null;
	const releasedMs = (digitalRelease ?? physicalRelease ?? inCinemas)?.getTime();
	const released = releasedMs !== undefined && releasedMs <= nowMs;
	const wantsFile = shape.hasFile ?? (released && rng.chance(kind === 'released' ? 0.65 : 0.15));
	if (wantsFile) {
		const cutoffNotMet = shape.cutoffNotMet ?? rng.chance(0.2);
		const added = Math.min(nowMs - MINUTE, (releasedMs ?? nowMs) + rng.int(1, 30) * DAY);
		file = makeMovieFile(rng, ids, movie, cutoffNotMet, new Date(added), language);
	}
	return { movie, file };
}

/** Creates a movie file for `movie` (sets `movie.movieFileId`). */
export function makeMovieFile(
	rng: Rng,
	ids: IdCounters,
	movie: SimMovie,
	cutoffNotMet: boolean,
	dateAdded: Date,
	language: SimLanguage = movie.originalLanguage
): SimMovieFile {
	const profile =
		RADARR_PROFILES.find((p) => p.id === movie.qualityProfileId) ?? RADARR_PROFILES[0];
	const qualityId = rng.pick(cutoffNotMet ? (profile?.below ?? [3]) : (profile?.meets ?? [7]));
	const quality = RADARR_QUALITIES.get(qualityId);
	const group = rng.pick(RELEASE_GROUPS);
	const relativePath = `${movie.folderName} [${quality?.name ?? 'Unknown'}]-${group}.mkv`;
	const file: SimMovieFile = {
		id: ++ids.movieFile,
		movieId: movie.id,
		relativePath,
		path: `${movie.path}/${relativePath}`,
		size: rng.int(1500, 60_000) * 1_048_576 + rng.int(0, 1_048_575),
		dateAdded,
		sceneName: rng.chance(0.6)
			? `${movie.title.replace(/\s+/g, '.')}.${movie.year}.${quality?.name ?? ''}-${group}`
			: null,
		releaseGroup: group,
		edition: rng.chance(0.05) ? 'IMAX' : null,
		qualityId,
		languages: [language],
		qualityCutoffNotMet: cutoffNotMet
	};
	movie.movieFileId = file.id;
	return file;
}

/** Creates an episode file for `episode` (sets `episode.episodeFileId`). */
export function makeEpisodeFile(
	rng: Rng,
	ids: IdCounters,
	series: SimSeries,
	episode: SimEpisode,
	cutoffNotMet: boolean,
	dateAdded: Date
): SimEpisodeFile {
	const profile =
		SONARR_PROFILES.find((p) => p.id === series.qualityProfileId) ?? SONARR_PROFILES[0];
	const qualityId = rng.pick(cutoffNotMet ? (profile?.below ?? [4]) : (profile?.meets ?? [5]));
	const quality = SONARR_QUALITIES.get(qualityId);
	const group = rng.pick(RELEASE_GROUPS);
	const season = String(episode.seasonNumber).padStart(2, '0');
	const code = `S${season}E${String(episode.episodeNumber).padStart(2, '0')}`;
	const name = `${folderOf(series.title)} - ${code} - ${folderOf(episode.title)}`;
	const relativePath = `Season ${season}/${name} [${quality?.name ?? 'Unknown'}]-${group}.mkv`;
	const file: SimEpisodeFile = {
		id: ++ids.episodeFile,
		seriesId: series.id,
		seasonNumber: episode.seasonNumber,
		episodeId: episode.id,
		relativePath,
		path: `${series.path}/${relativePath}`,
		size: rng.int(250, 4000) * 1_048_576 + rng.int(0, 1_048_575),
		dateAdded,
		sceneName: rng.chance(0.6)
			? `${series.title.replace(/\s+/g, '.')}.${code}.${quality?.name ?? ''}-${group}`
			: null,
		releaseGroup: group,
		qualityId,
		languages: [series.originalLanguage],
		qualityCutoffNotMet: cutoffNotMet
	};
	episode.episodeFileId = file.id;
	return file;
}
