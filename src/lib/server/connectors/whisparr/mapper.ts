/** Whisparr resources → mirror rows. Pure functions. */
import type { MirrorEpisode, MirrorMovie } from '../common/types';
import type { EpisodeFileMap } from '../sonarr/client';
import type { WhisparrMovie, WhisparrScene } from './types';

/**
 * A Whisparr v2 scene. Its release day (midnight UTC) stands in for Sonarr's `airDateUtc`, so the
 * same "aired" rule applies; scenes have no episode number.
 */
export function sceneToMirrorEpisode(e: WhisparrScene, files: EpisodeFileMap): MirrorEpisode {
	const file = e.hasFile && e.episodeFileId ? files.get(e.episodeFileId) : undefined;
	return {
		arrId: e.id,
		arrSeriesId: e.seriesId,
		seasonNumber: e.seasonNumber,
		episodeNumber: null,
		title: e.title,
		airDateUtc: e.releaseDate,
		runtime: 0,
		monitored: e.monitored,
		hasFile: e.hasFile,
		episodeFileId: e.hasFile && e.episodeFileId ? e.episodeFileId : null,
		quality: file?.quality?.quality?.name ?? null,
		qualityCutoffNotMet: e.hasFile ? (file?.qualityCutoffNotMet ?? false) : false,
		lastSearchTime: null
	};
}

/** A Whisparr v3 movie or scene (MovieResource without Radarr's availability fields). */
export function toMirrorWhisparrMovie(m: WhisparrMovie): MirrorMovie {
	const hasFile = Boolean(m.hasFile) || Boolean(m.movieFile);
	return {
		arrId: m.id,
		title: m.title,
		sortTitle: m.sortTitle,
		year: m.year && m.year > 0 ? m.year : null,
		status: m.status,
		monitored: m.monitored,
		hasFile,
		movieFileId: hasFile ? (m.movieFile?.id ?? null) : null,
		quality: m.movieFile?.quality?.quality?.name ?? null,
		qualityCutoffNotMet: hasFile ? (m.movieFile?.qualityCutoffNotMet ?? false) : false,
		minimumAvailability: null,
		isAvailable: m.isAvailable,
		tmdbId: m.tmdbId,
		imdbId: m.imdbId,
		itemType: m.itemType,
		releaseDate: m.releaseDate,
		lastSearchTime: m.lastSearchTime,
		added: m.added
	};
}
