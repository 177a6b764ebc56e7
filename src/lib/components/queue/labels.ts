/** Display names of the queue's command and search types. */

/** Sonarr/Radarr command names as shown to users. */
const COMMAND_LABELS: Record<string, string> = {
	SeasonSearch: 'Season pack',
	EpisodeSearch: 'Episodes',
	MoviesSearch: 'Movies'
};

/** "SeasonSearch" → "Season pack", "EpisodeSearch" → "Episodes", "MoviesSearch" → "Movies". */
export function commandLabel(command: string): string {
	return COMMAND_LABELS[command] ?? command;
}

/** "gap" → "Gap", "upgrade" → "Upgrade". */
export function searchTypeLabel(searchType: string): string {
	if (searchType === 'gap') return 'Gap';
	if (searchType === 'upgrade') return 'Upgrade';
	return searchType;
}
