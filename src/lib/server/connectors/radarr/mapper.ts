/** Radarr resources → mirror rows. Pure functions. */
import type { MirrorMovie } from '../common/types';
import type { RadarrMovie } from './types';

export function toMirrorMovie(m: RadarrMovie): MirrorMovie {
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
		minimumAvailability: m.minimumAvailability,
		isAvailable: m.isAvailable,
		tmdbId: m.tmdbId,
		imdbId: m.imdbId,
		itemType: null,
		releaseDate: m.releaseDate ?? m.digitalRelease ?? m.physicalRelease ?? m.inCinemas ?? null,
		lastSearchTime: m.lastSearchTime,
		added: m.added
	};
}
