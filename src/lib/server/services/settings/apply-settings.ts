/**
 * Applying settings to the running process: the log level of Settings → General.
 */
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '$lib/server/db';
import { appSettings } from '$lib/server/db/schema';
import { setLogLevel } from '$lib/server/logger';
import type { StartupHook } from '$lib/server/runtime';
import { getSettings } from './settings-service';

/**
 * Start-up hook: applies a stored log level to the logger and all its children. Without a stored
 * General section the level stays what `LOG_LEVEL` set (which may be `fatal` or `silent`, levels
 * the settings page does not offer).
 */
export const applyStoredLogLevel: StartupHook = async (runtime) => {
	await applyLogLevel(runtime.db);
};

/** The same, for a given database (tests, and after a configuration import). */
export async function applyLogLevel(db: DbOrTx): Promise<void> {
	const stored = await db
		.select({ key: appSettings.key })
		.from(appSettings)
		.where(eq(appSettings.key, 'general'))
		.limit(1);
	if (stored.length === 0) return;
	setLogLevel((await getSettings(db)).general.logLevel);
}
