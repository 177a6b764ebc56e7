/**
 * Whisparr clients, one per line (detected from `system/status` version major):
 * - v2 (Sonarr-based): the Sonarr endpoints and commands (`/api/v3/series`, `/episode`,
 *   `/episodefile`; EpisodeSearch / SeasonSearch) with the scene episode shape.
 * - v3 "Eros" (Radarr-based): `/api/v3/movie`, MoviesSearch. Its published spec has no `wanted/*`
 *   endpoints, so gaps and upgrade candidates always come from the movie list and its files.
 */
import { parseList } from '../common/schemas';
import type { MirrorEpisode, MirrorMovie, Parsed } from '../common/types';
import { RadarrClient } from '../radarr/client';
import { SonarrClient, type EpisodeFileMap } from '../sonarr/client';
import { sceneToMirrorEpisode, toMirrorWhisparrMovie } from './mapper';
import { SceneEpisodeSchema, WhisparrMovieSchema } from './types';

export type WhisparrLine = 2 | 3;

/** The Whisparr line of a version string: major 3 or later is "Eros" (v3), anything else v2. */
export function whisparrLine(version: string | null | undefined): WhisparrLine {
	const major = Number.parseInt(String(version ?? '').split('.')[0] ?? '', 10);
	return Number.isFinite(major) && major >= 3 ? 3 : 2;
}

export class WhisparrV2Client extends SonarrClient {
	protected override parseEpisodes(body: unknown, files: EpisodeFileMap): Parsed<MirrorEpisode> {
		const scenes = parseList(SceneEpisodeSchema, body, 'episode');
		return {
			items: scenes.items.map((e) => sceneToMirrorEpisode(e, files)),
			skipped: scenes.skipped,
			skippedIds: scenes.skippedIds
		};
	}
}

export class WhisparrV3Client extends RadarrClient {
	protected override parseMovies(body: unknown): Parsed<MirrorMovie> {
		const parsed = parseList(WhisparrMovieSchema, body, 'movie');
		return {
			items: parsed.items.map(toMirrorWhisparrMovie),
			skipped: parsed.skipped,
			skippedIds: parsed.skippedIds
		};
	}
}
