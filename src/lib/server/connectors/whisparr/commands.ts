/**
 * Whisparr search commands: v2 uses Sonarr's (EpisodeSearch / SeasonSearch), v3 Radarr's
 * (MoviesSearch); the builders are shared.
 */
export { episodeSearch, seasonSearch } from '../sonarr/commands';
export { moviesSearch } from '../radarr/commands';
