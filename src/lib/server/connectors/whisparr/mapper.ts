/** Whisparr resources → mirror rows. Pure functions. */
import type { MirrorEpisode, MirrorMovie } from '../common/types';
import { toMirrorMovie } from '../radarr/mapper';
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
		customFormatScore: file?.customFormatScore ?? null,
		lastSearchTime: null
	};
}

/** A Whisparr v3 movie or scene. */
export function toMirrorWhisparrMovie(m: WhisparrMovie): MirrorMovie {
	return toMirrorMovie(m, m.itemType);
}
