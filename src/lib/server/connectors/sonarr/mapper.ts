/**
 * Sonarr resources → mirror rows. Pure functions.
 */
import type { MirrorEpisode, MirrorSeries } from '../common/types';
import type { SonarrEpisode, SonarrEpisodeFile, SonarrSeries } from './types';

export function toMirrorSeries(s: SonarrSeries): MirrorSeries {
	return {
		arrId: s.id,
		title: s.title,
		sortTitle: s.sortTitle,
		status: s.status,
		seriesType: s.seriesType,
		monitored: s.monitored,
		year: s.year && s.year > 0 ? s.year : null,
		tvdbId: s.tvdbId,
		imdbId: s.imdbId,
		tmdbId: s.tmdbId,
		qualityProfileId: s.qualityProfileId,
		tags: s.tags,
		added: s.added,
		seasons: s.seasons.map((season) => ({
			seasonNumber: season.seasonNumber,
			monitored: season.monitored,
			episodeFileCount: season.statistics?.episodeFileCount ?? 0,
			episodeCount: season.statistics?.episodeCount ?? 0,
			totalEpisodeCount: season.statistics?.totalEpisodeCount ?? 0,
			nextAiring: season.statistics?.nextAiring ?? null,
			previousAiring: season.statistics?.previousAiring ?? null,
			sizeOnDisk: season.statistics?.sizeOnDisk ?? 0
		}))
	};
}

/**
 * One episode with its file's quality state. `files` maps episodeFileId → EpisodeFileResource; an
 * episode whose file is missing from the map keeps `hasFile` but no quality (cutoff treated as met,
 * as the app itself cannot say otherwise).
 */
export function toMirrorEpisode(
	e: SonarrEpisode,
	files: ReadonlyMap<number, SonarrEpisodeFile>
): MirrorEpisode {
	const file = e.hasFile && e.episodeFileId ? files.get(e.episodeFileId) : undefined;
	return {
		arrId: e.id,
		arrSeriesId: e.seriesId,
		seasonNumber: e.seasonNumber,
		episodeNumber: e.episodeNumber,
		title: e.title,
		airDateUtc: e.airDateUtc,
		runtime: Math.max(0, Math.min(32_000, Math.round(e.runtime ?? 0))),
		monitored: e.monitored,
		hasFile: e.hasFile,
		episodeFileId: e.hasFile && e.episodeFileId ? e.episodeFileId : null,
		quality: file?.quality?.quality?.name ?? null,
		qualityCutoffNotMet: e.hasFile ? (file?.qualityCutoffNotMet ?? false) : false,
		customFormatScore: file?.customFormatScore ?? null,
		lastSearchTime: e.lastSearchTime
	};
}
