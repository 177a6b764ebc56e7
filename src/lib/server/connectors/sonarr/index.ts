export { SonarrClient } from './client';
export { episodeSearch, seasonSearch } from './commands';
