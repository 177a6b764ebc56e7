/**
 * `bun run rotate-secret`: re-encrypts every stored secret under a new SECRET_KEY, in one
 * transaction. Stop Comradarr first (with the embedded PostgreSQL this script starts the database
 * itself and refuses while the app holds it).
 *
 *   NEW_SECRET_KEY=<new key> bun run rotate-secret     # rotate to a key you chose
 *   bun run rotate-secret                              # generate a new key
 *
 * The current key is read as the app reads it (SECRET_KEY, SECRET_KEY_FILE or $DATA_DIR/secret.key).
 * When it came from $DATA_DIR/secret.key, that file is replaced with the new key after the commit;
 * otherwise the new key is printed and you must put it where SECRET_KEY(_FILE) comes from.
 */
import { randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readConfig } from '../src/lib/server/config';
import { openDatabase } from '../src/lib/server/db';
import { startEmbeddedPostgres } from '../src/lib/server/db/embedded';
import { createSecretBox, loadSecret } from '../src/lib/server/crypto/secrets';
import { rotateSecrets } from '../src/lib/server/crypto/rotate';

const config = readConfig();
const current = loadSecret(process.env, config.dataDir);
const next = process.env.NEW_SECRET_KEY || randomBytes(32).toString('hex');
if (next === current) {
	console.error('NEW_SECRET_KEY is the current key: nothing to do.');
	process.exit(2);
}
const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir);
const db = await openDatabase(config.databaseUrl ?? embedded!.url, {
	migrationsDir: config.migrationsDir,
	max: 2
});
try {
	const result = await rotateSecrets(db, createSecretBox(current), createSecretBox(next));
	const fromFile = !process.env.SECRET_KEY && !process.env.SECRET_KEY_FILE;
	if (fromFile) {
		const file = path.join(config.dataDir, 'secret.key');
		writeFileSync(`${file}.new`, next, { mode: 0o600 });
		renameSync(`${file}.new`, file);
		console.log(
			`Re-encrypted ${result.connectors} connector API key(s) and the secrets of ${result.notificationChannels} notification channel(s); ${file} now holds the new key.`
		);
	} else {
		console.log(
			`Re-encrypted ${result.connectors} connector API key(s) and the secrets of ${result.notificationChannels} notification channel(s).`
		);
		console.log(
			`Set SECRET_KEY (or the file SECRET_KEY_FILE names) to the new key before starting Comradarr:\n${next}`
		);
	}
} catch (error) {
	console.error(
		`Rotation failed; nothing was changed: ${error instanceof Error ? error.message : String(error)}`
	);
	process.exitCode = 1;
} finally {
	await db.$client.close();
	await embedded?.stop();
}
