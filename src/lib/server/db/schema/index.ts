/** Every table of the database, by domain. drizzle-kit reads this file. */
export * from './analytics';
export * from './auth';
export * from './connectors';
export * from './content';
export * from './events';
export * from './jobs';
export * from './notifications';
export * from './priority';
export * from './quality';
export * from './queue-control';
export * from './schedules';
export * from './search-state';
export * from './settings';
export * from './throttle';
