/**
 * Applying settings to the running process: the log level of Settings → General.
 *
 * Every process on the database follows a saved level within a moment: `updateSettings` sends
 * `settings:general` on the schedules' LISTEN/NOTIFY channel when the General section is saved
 * (services/schedule/changes.ts), and `followLogLevel` LISTENs for it and re-reads the stored
 * level. A SIGHUP applies `LOG_LEVEL` from the re-read environment (the `log-level` reloader).
 */
import { eq } from 'drizzle-orm';
import pino from 'pino';
import type { Database, DbOrTx } from '$lib/server/db';
import { appSettings } from '$lib/server/db/schema';
import { currentLogLevel, moduleLogger, setLogLevel } from '$lib/server/logger';
import { onReload } from '$lib/server/reload';
import { onShutdown, type StartupHook } from '$lib/server/runtime';
import { SCHEDULES_CHANNEL } from '../schedule/changes';
import { getSettings, invalidateSettingsCache } from './settings-service';

const log = moduleLogger('settings');

/** The NOTIFY payload of a saved General section (settings-service.ts). */
const GENERAL_CHANGED = 'settings:general';

/**
 * Start-up hook: applies a stored log level to the logger and all its children, follows later
 * changes saved by any process (`followLogLevel`), and registers the SIGHUP reloader. Without a
 * stored General section the level stays what `LOG_LEVEL` set (which may be `fatal` or `silent`,
 * levels the settings page does not offer).
 */
export const applyStoredLogLevel: StartupHook = async (runtime) => {
	await applyLogLevel(runtime.db);
	registerLogLevelReloader();
	const follower = await followLogLevel(runtime.db);
	onShutdown(() => follower.stop());
};

/**
 * The same, for a given database (tests, and after a configuration import).
 * @returns the change as "info → debug", or null when the level stayed (or none is stored).
 */
export async function applyLogLevel(db: DbOrTx): Promise<string | null> {
	const stored = await db
		.select({ key: appSettings.key })
		.from(appSettings)
		.where(eq(appSettings.key, 'general'))
		.limit(1);
	if (stored.length === 0) return null;
	const before = currentLogLevel();
	const level = (await getSettings(db)).general.logLevel;
	if (level === before) return null;
	setLogLevel(level);
	return `${before} → ${level}`;
}

/** A running LISTEN for saved log levels. */
export interface LogLevelFollower {
	/** Ends the LISTEN. */
	stop(): Promise<void>;
}

/**
 * LISTENs on the settings notifications of every process on `db` and applies the stored log
 * level at each `settings:general` (within the NOTIFY's delivery, milliseconds) and after each
 * reconnect of the LISTEN connection (a change missed while it was down). A LISTEN that cannot
 * start is logged: the level then still applies at the next start.
 */
export async function followLogLevel(db: Database): Promise<LogLevelFollower> {
	let queue: Promise<void> = Promise.resolve();
	const reapply = (why: string) => {
		// One re-read at a time, in order: the last notification decides.
		queue = queue.then(async () => {
			try {
				invalidateSettingsCache();
				const change = await applyLogLevel(db);
				if (change) log.info({ why }, `log level ${change} (saved in Settings)`);
			} catch (error) {
				log.error({ err: error }, 'could not apply the stored log level');
			}
		});
	};
	let first = true;
	try {
		const subscription = await db.$client.listen(
			SCHEDULES_CHANNEL,
			(what) => {
				if (what === GENERAL_CHANGED) reapply('settings saved');
			},
			() => {
				// The first acknowledgement follows the start-up read; later ones are reconnects.
				if (first) first = false;
				else reapply('LISTEN reconnected');
			}
		);
		return {
			stop: async () => {
				await subscription.unlisten().catch(() => undefined);
				await queue;
			}
		};
	} catch (error) {
		log.error(
			{ err: String(error) },
			'LISTEN failed: a log level saved by another process applies here at the next start'
		);
		return { stop: async () => {} };
	}
}

/** Whether `value` is a pino level name (including `silent`). */
function isLevel(value: string): value is pino.LevelWithSilent {
	return value === 'silent' || value in pino.levels.values;
}

/**
 * Registers the SIGHUP reloader `log-level`: applies `LOG_LEVEL` from the re-read environment
 * when it is set to another value than at the previous reload (or at start) and differs from the
 * level in force, returning `["log level info → debug"]`. An unchanged `LOG_LEVEL` leaves the
 * level alone, so a SIGHUP sent for another setting does not undo a level saved in Settings.
 * @param startEnv the environment the process started with (its `LOG_LEVEL` is the first "previous").
 * @throws (reported by `runReloaders`) when `LOG_LEVEL` is not a level name.
 */
export function registerLogLevelReloader(
	startEnv: Record<string, string | undefined> = process.env
): void {
	const normalise = (value: string | undefined) => value?.trim().toLowerCase() || undefined;
	let previous = normalise(startEnv.LOG_LEVEL);
	onReload('log-level', (env) => {
		const level = normalise(env.LOG_LEVEL);
		if (!level || level === previous) return [];
		if (!isLevel(level)) {
			throw new Error(
				`LOG_LEVEL "${level}" is not a level (trace, debug, info, warn, error, fatal, silent)`
			);
		}
		previous = level;
		const before = currentLogLevel();
		if (level === before) return [];
		setLogLevel(level);
		return [`log level ${before} → ${level}`];
	});
}
