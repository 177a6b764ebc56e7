/**
 * Process configuration read from the environment once, at start-up.
 *
 * Every variable is documented in the README's environment table; defaults are the ones a
 * newcomer running `npm start` on a fresh machine gets.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import packageJson from '../../../package.json' with { type: 'json' };

export interface AppConfig {
	/** Folder for the embedded PostgreSQL cluster and the generated secret key. Default `./data`. */
	dataDir: string;
	/**
	 * External PostgreSQL URL; unset means "start the embedded PostgreSQL under `dataDir`". With
	 * `DATABASE_PASSWORD_FILE` it carries the password read from that file (see
	 * {@link databaseUrlFromEnv}).
	 */
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

/** A configuration error at start-up; the message names the variable to fix. */
export class ConfigError extends Error {
	readonly code = 'config.invalid';
	constructor(message: string) {
		super(message);
		this.name = 'ConfigError';
	}
}

/**
 * The external database URL: `DATABASE_URL`, with the password from the file named by
 * `DATABASE_PASSWORD_FILE` (a Docker secret such as `/run/secrets/db_password`) when that is set,
 * so the password never sits in an environment variable. The file's content is used verbatim
 * except for one trailing newline (`\n` or `\r\n`), which `echo` and editors add; it is
 * percent-encoded into the URL's userinfo, so any character is allowed.
 * @returns undefined when `DATABASE_URL` is unset (the embedded PostgreSQL is used).
 * @throws ConfigError when `DATABASE_PASSWORD_FILE` is set and the file is missing, unreadable or
 *   empty, when it is set without `DATABASE_URL`, when `DATABASE_URL` is not a URL, or when
 *   `DATABASE_URL` already carries a password (two sources: which one wins would be a guess).
 */
export function databaseUrlFromEnv(env: Record<string, string | undefined>): string | undefined {
	const url = env.DATABASE_URL || undefined;
	const file = env.DATABASE_PASSWORD_FILE || undefined;
	if (!file) return url;
	if (!url) {
		throw new ConfigError(
			'DATABASE_PASSWORD_FILE is set but DATABASE_URL is not: the password is for an external ' +
				'PostgreSQL named by DATABASE_URL (the embedded one needs neither).'
		);
	}
	let password: string;
	try {
		password = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
	} catch (error) {
		const reason = (error as NodeJS.ErrnoException).code ?? String(error);
		throw new ConfigError(`DATABASE_PASSWORD_FILE ${file} cannot be read (${reason}).`);
	}
	if (password.length === 0) throw new ConfigError(`DATABASE_PASSWORD_FILE ${file} is empty.`);
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new ConfigError('DATABASE_URL is not a valid postgres:// URL.');
	}
	if (parsed.password) {
		throw new ConfigError(
			'DATABASE_URL contains a password and DATABASE_PASSWORD_FILE is set: remove the password ' +
				'from DATABASE_URL (postgres://user@host:5432/db).'
		);
	}
	// The setter percent-encodes only some characters; encode all of them so `@`, `:`, `/`, `%` and
	// `#` in a password cannot change how the URL parses.
	parsed.password = encodeURIComponent(password);
	return parsed.toString();
}

/**
 * Reads the configuration from `env` (defaults to `process.env`). The only I/O is reading
 * `DATABASE_PASSWORD_FILE` when it is set.
 * @throws ConfigError as {@link databaseUrlFromEnv} does.
 */
export function readConfig(env: Record<string, string | undefined> = process.env): AppConfig {
	const dataDir = path.resolve(env.DATA_DIR || './data');
	return {
		dataDir,
		databaseUrl: databaseUrlFromEnv(env),
		migrationsDir: path.resolve(env.MIGRATIONS_DIR || './drizzle'),
		adminUser: env.ADMIN_USER || undefined,
		adminPass: env.ADMIN_PASS || undefined,
		schedulerEnabled: env.SCHEDULER_ENABLED !== 'false',
		logLevel: env.LOG_LEVEL || 'info',
		version: APP_VERSION
	};
}
