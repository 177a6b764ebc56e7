/** Radarr resources → mirror rows. Pure functions. */
import type { MirrorMovie } from '../common/types';
import type { RadarrMovie } from './types';

/** Radarr's availability fields, which Whisparr v3's MovieResource does not have. */
type AvailabilityFields =
	'movieFileId' | 'minimumAvailability' | 'inCinemas' | 'digitalRelease' | 'physicalRelease';

/** The fields both Radarr's and Whisparr v3's MovieResource carry. */
type CommonFields =
	| 'id'
	| 'title'
	| 'sortTitle'
	| 'year'
	| 'status'
	| 'monitored'
	| 'qualityProfileId'
	| 'tags'
	| 'hasFile'
	| 'isAvailable'
	| 'tmdbId'
	| 'imdbId'
	| 'releaseDate'
	| 'added'
	| 'lastSearchTime'
	| 'movieFile';

/** A MovieResource as Radarr or Whisparr v3 sends it (the latter without the availability fields). */
export type MovieFields = Pick<RadarrMovie, CommonFields> &
	Partial<Pick<RadarrMovie, AvailabilityFields>>;

/**
 * One movie with its file's quality state (`movieFile.qualityCutoffNotMet`).
 * @param itemType Whisparr v3's `movie` / `scene`; null for Radarr
 */
export function toMirrorMovie(m: MovieFields, itemType: string | null = null): MirrorMovie {
	const hasFile = Boolean(m.hasFile) || Boolean(m.movieFile);
	return {
		arrId: m.id,
		title: m.title,
		sortTitle: m.sortTitle,
		year: m.year && m.year > 0 ? m.year : null,
		status: m.status,
		monitored: m.monitored,
		hasFile,
		movieFileId: hasFile ? (m.movieFile?.id ?? m.movieFileId ?? null) : null,
		quality: m.movieFile?.quality?.quality?.name ?? null,
		qualityCutoffNotMet: hasFile ? (m.movieFile?.qualityCutoffNotMet ?? false) : false,
		customFormatScore: hasFile ? (m.movieFile?.customFormatScore ?? null) : null,
		qualityProfileId: m.qualityProfileId,
		tags: m.tags,
		minimumAvailability: m.minimumAvailability ?? null,
		isAvailable: m.isAvailable,
		tmdbId: m.tmdbId,
		imdbId: m.imdbId,
		itemType,
		releaseDate: m.releaseDate ?? m.digitalRelease ?? m.physicalRelease ?? m.inCinemas ?? null,
		lastSearchTime: m.lastSearchTime,
		added: m.added
	};
}
