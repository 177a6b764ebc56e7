/** Sonarr search command builders (CommandController: flat body `{name, ...props}`). */
import type { SearchCommand } from '../common/types';

/** `EpisodeSearch` for explicit episode ids (never empty). */
export function episodeSearch(episodeIds: readonly number[]): SearchCommand {
	if (episodeIds.length === 0) throw new Error('EpisodeSearch needs at least one episode id');
	return { name: 'EpisodeSearch', episodeIds: [...episodeIds] };
}

/** `SeasonSearch` for one season of one series (a season pack search). */
export function seasonSearch(seriesId: number, seasonNumber: number): SearchCommand {
	return { name: 'SeasonSearch', seriesId, seasonNumber };
}
