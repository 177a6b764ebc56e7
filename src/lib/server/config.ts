/**
 * Process configuration read from the environment once, at start-up.
 *
 * Every variable is documented in the README's environment table; defaults are the ones a
 * newcomer running `npm start` on a fresh machine gets.
 */
import path from 'node:path';
import packageJson from '../../../package.json' with { type: 'json' };

export interface AppConfig {
	/** Folder for the embedded PostgreSQL cluster and the generated secret key. Default `./data`. */
	dataDir: string;
	/** External PostgreSQL URL; unset means "start the embedded PostgreSQL under `dataDir`". */
	databaseUrl: string | undefined;
	/** Folder holding drizzle-kit's generated migrations. Default `./drizzle`. */
	migrationsDir: string;
	/** Optional admin created at start-up when no user exists yet. */
	adminUser: string | undefined;
	adminPass: string | undefined;
	/** `false` disables the croner jobs (tests drive the services directly). Default true. */
	schedulerEnabled: boolean;
	/** Minimum log level: trace | debug | info | warn | error. Default `info`. */
	logLevel: string;
	/** Comradarr's own version, sent in the `User-Agent` header of every *arr request. */
	version: string;
}

/**
 * Comradarr's version: `version` in package.json, the one place a release sets it (the changelog,
 * Settings → About and the *arr `User-Agent` all read it from there).
 */
export const APP_VERSION: string = packageJson.version;

/** Reads the configuration from `env` (defaults to `process.env`). Pure: no I/O. */
export function readConfig(env: Record<string, string | undefined> = process.env): AppConfig {
	const dataDir = path.resolve(env.DATA_DIR || './data');
	return {
		dataDir,
		databaseUrl: env.DATABASE_URL || undefined,
		migrationsDir: path.resolve(env.MIGRATIONS_DIR || './drizzle'),
		adminUser: env.ADMIN_USER || undefined,
		adminPass: env.ADMIN_PASS || undefined,
		schedulerEnabled: env.SCHEDULER_ENABLED !== 'false',
		logLevel: env.LOG_LEVEL || 'info',
		version: APP_VERSION
	};
}
