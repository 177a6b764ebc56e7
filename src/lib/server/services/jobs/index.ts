/** Background jobs with progress (see runner.ts), their errors and maintenance mode. */
export * from './errors';
export * from './maintenance';
export * from './queries';
export * from './runner';
