/**
 * Configuration that can change without a restart (SIGHUP, issue 12 §7): each part that holds such
 * a setting (log level, `TRUSTED_PROXIES`, the metrics token) registers a reloader here; a reload
 * calls every reloader with the freshly read environment and collects what each one changed.
 *
 * Shapes: a reloader gets the environment (`process.env` overlaid with what the reload re-read,
 * see `runReloaders`) and returns one sentence per setting it changed (`"log level info → debug"`),
 * or nothing when it changed nothing. It never returns a secret's value.
 */

/** Environment as a reloader sees it. */
export type ReloadEnv = Record<string, string | undefined>;
/** Applies the settings it owns from `env`; returns what changed, as sentences without secrets. */
export type Reloader = (env: ReloadEnv) => string[] | Promise<string[]>;

interface ReloadRegistry {
	reloaders: Map<string, Reloader>;
}

const registry: ReloadRegistry = ((
	globalThis as { __comradarrReload?: ReloadRegistry }
).__comradarrReload ??= { reloaders: new Map() });

/**
 * Registers (or replaces, on an HMR reload of the same module) the reloader called `name`.
 * @param name the setting group, e.g. `log-level`, `trusted-proxies`, `metrics-token`.
 */
export function onReload(name: string, reloader: Reloader): void {
	registry.reloaders.set(name, reloader);
}

/** One reloader's result: its changes, or the error that stopped it (as a message). */
export interface ReloadResult {
	name: string;
	changed: string[];
	error?: string;
}

/**
 * Calls every registered reloader with `env`, in registration order; a reloader that throws is
 * reported and does not stop the others.
 */
export async function runReloaders(env: ReloadEnv): Promise<ReloadResult[]> {
	const results: ReloadResult[] = [];
	for (const [name, reloader] of registry.reloaders) {
		try {
			results.push({ name, changed: await reloader(env) });
		} catch (error) {
			results.push({
				name,
				changed: [],
				error: error instanceof Error ? error.message : String(error)
			});
		}
	}
	return results;
}
