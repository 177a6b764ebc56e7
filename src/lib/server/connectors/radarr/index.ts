export { RadarrClient } from './client';
export { moviesSearch } from './commands';
