/** Radarr search command builders. */
import type { SearchCommand } from '../common/types';

/** `MoviesSearch` for explicit movie ids (never empty). */
export function moviesSearch(movieIds: readonly number[]): SearchCommand {
	if (movieIds.length === 0) throw new Error('MoviesSearch needs at least one movie id');
	return { name: 'MoviesSearch', movieIds: [...movieIds] };
}
