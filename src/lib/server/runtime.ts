/**
 * The process runtime: configuration, database, secret box and scheduler, started once.
 *
 * `startRuntime()` is idempotent (a `globalThis` registry survives dev/HMR reloads of hooks) and is
 * awaited by the SvelteKit `init` hook. Shutdown (`sveltekit:shutdown`, SIGINT, SIGTERM) stops the
 * scheduler, closes the pool and stops the embedded PostgreSQL.
 */
import { readConfig, type AppConfig } from './config';
import { openDatabase, setDb, type Database } from './db';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded';
import { seedDefaults } from './db/seed';
import { createSecretBox, loadSecret, type SecretBox } from './crypto/secrets';
import { moduleLogger } from './logger';

const log = moduleLogger('runtime');

export interface Runtime {
	config: AppConfig;
	db: Database;
	secrets: SecretBox;
	/** Stops the scheduler, the pool and the embedded PostgreSQL. Safe to call twice. */
	stop(): Promise<void>;
}

/** Work registered to run at start-up after the database is ready (admin bootstrap, scheduler). */
export type StartupHook = (runtime: Runtime) => Promise<void>;
/** Work registered to run at shutdown, before the database closes. */
export type ShutdownHook = () => Promise<void> | void;

interface Registry {
	runtime?: Promise<Runtime> | undefined;
	shutdownHooks: ShutdownHook[];
}

const registry: Registry = ((globalThis as { __comradarr?: Registry }).__comradarr ??= {
	shutdownHooks: []
});

/** Registers work to run at shutdown (e.g. stopping croner jobs). */
export function onShutdown(hook: ShutdownHook): void {
	registry.shutdownHooks.push(hook);
}

/**
 * Starts everything once; later calls return the same runtime.
 * @throws when the database cannot be reached or migrated, or the secret cannot be loaded.
 */
export function startRuntime(startupHooks: StartupHook[] = []): Promise<Runtime> {
	registry.runtime ??= boot(startupHooks).catch((error: unknown) => {
		registry.runtime = undefined;
		throw error;
	});
	return registry.runtime;
}

/** The started runtime. @throws when startRuntime() has not completed. */
export async function getRuntime(): Promise<Runtime> {
	if (!registry.runtime) throw new Error('runtime not started');
	return registry.runtime;
}

async function boot(startupHooks: StartupHook[]): Promise<Runtime> {
	const config = readConfig();
	const secrets = createSecretBox(loadSecret(process.env, config.dataDir));
	let embedded: EmbeddedDatabase | undefined;
	let url = config.databaseUrl;
	if (!url) {
		embedded = await startEmbeddedPostgres(config.dataDir);
		url = embedded.url;
	}
	const db = await openDatabase(url, { migrationsDir: config.migrationsDir });
	await seedDefaults(db);
	setDb(db);
	log.info({ embedded: Boolean(embedded), migrationsDir: config.migrationsDir }, 'database ready');

	let stopping: Promise<void> | undefined;
	const stopOnce = async (): Promise<void> => {
		for (const hook of registry.shutdownHooks.splice(0)) {
			try {
				await hook();
			} catch (error) {
				log.error({ err: error }, 'shutdown hook failed');
			}
		}
		await db.$client.close({ timeout: 5 });
		setDb(undefined);
		if (embedded) await embedded.stop();
		registry.runtime = undefined;
	};
	const runtime: Runtime = {
		config,
		db,
		secrets,
		// Every caller (signal, adapter event, test) waits for the same single shutdown.
		stop: () => (stopping ??= stopOnce())
	};
	const shutdown = (reason: string) => {
		log.info({ reason }, 'shutting down');
		void runtime.stop().then(
			() => process.exit(0),
			(error: unknown) => {
				log.error({ err: error }, 'shutdown failed');
				process.exit(1);
			}
		);
	};
	// svelte-adapter-bun emits this on SIGINT/SIGTERM and never exits by itself (STACK.md trap 6).
	process.once('sveltekit:shutdown' as 'SIGTERM', () => shutdown('sveltekit:shutdown'));
	process.once('SIGINT', () => shutdown('SIGINT'));
	process.once('SIGTERM', () => shutdown('SIGTERM'));

	for (const hook of startupHooks) await hook(runtime);
	return runtime;
}
