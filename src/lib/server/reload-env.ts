/**
 * What a SIGHUP reload reads (runtime.ts calls it, then `runReloaders` with the result).
 *
 * A process's environment cannot change after it started, so a reload re-reads two things:
 * - the optional env file named by `COMRADARR_ENV_FILE`: `KEY=VALUE` lines (blank lines and
 *   `#` comments skipped, an `export ` prefix and one pair of surrounding quotes allowed). Only
 *   the reloadable keys (`RELOADABLE_KEYS`) are taken from it, over the process's environment;
 *   any other key whose value differs from the running process's is reported as needing a
 *   restart (by name only: values may be secrets).
 * - the `*_FILE` variables' files: the merged environment keeps `METRICS_TOKEN_FILE`, which the
 *   `metrics-token` reloader reads again on every reload (a rotated Docker secret is picked up).
 *
 * A file that cannot be read or parsed refuses the whole reload: applying the process's own
 * environment instead would silently undo what an earlier reload put in force.
 */
import { readFileSync } from 'node:fs';
import type { ReloadEnv } from './reload';

/** The settings a SIGHUP can change; everything else needs a restart. */
export const RELOADABLE_KEYS = [
	'LOG_LEVEL',
	'TRUSTED_PROXIES',
	'METRICS_TOKEN',
	'METRICS_TOKEN_FILE'
] as const;

/** A parsed env file: its values by key, and one sentence per line that did not parse. */
export interface EnvFile {
	values: Map<string, string>;
	errors: string[];
}

/**
 * Parses `KEY=VALUE` lines (see the module docstring). A later line of the same key wins.
 * @returns the values and the problems, each naming its line number (never its value).
 */
export function parseEnvFile(text: string): EnvFile {
	const values = new Map<string, string>();
	const errors: string[] = [];
	text.split(/\r?\n/).forEach((line, index) => {
		const trimmed = line.trim();
		if (trimmed === '' || trimmed.startsWith('#')) return;
		const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(trimmed);
		if (!match?.[1]) {
			errors.push(`line ${index + 1} is not KEY=VALUE`);
			return;
		}
		let value = (match[2] ?? '').trim();
		const quote = value[0];
		if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) {
			value = value.slice(1, -1);
		}
		values.set(match[1], value);
	});
	return { values, errors };
}

/** What a reload will apply, or why it applies nothing. */
export type ReloadInput =
	| {
			ok: true;
			/** The process's environment with the env file's reloadable keys over it. */
			env: ReloadEnv;
			/** The env file read, or null when `COMRADARR_ENV_FILE` is unset. */
			file: string | null;
			/** Keys of the env file that differ from the process's value but need a restart. */
			needsRestart: string[];
	  }
	| { ok: false; file: string; error: string };

/**
 * Reads what a reload applies (see the module docstring).
 * @param processEnv the running process's environment (`process.env`)
 * @param readText reads a file as UTF-8 (tests pass their own); throws when it cannot
 */
export function readReloadEnv(
	processEnv: ReloadEnv,
	readText: (file: string) => string = (file) => readFileSync(file, 'utf8')
): ReloadInput {
	const file = processEnv.COMRADARR_ENV_FILE?.trim() || null;
	const env: ReloadEnv = { ...processEnv };
	if (!file) return { ok: true, env, file: null, needsRestart: [] };
	let text: string;
	try {
		text = readText(file);
	} catch (error) {
		const code = (error as { code?: unknown }).code;
		return {
			ok: false,
			file,
			error: `COMRADARR_ENV_FILE ${file} cannot be read${typeof code === 'string' ? ` (${code})` : ''}`
		};
	}
	const parsed = parseEnvFile(text);
	if (parsed.errors.length > 0) {
		return { ok: false, file, error: `COMRADARR_ENV_FILE ${file}: ${parsed.errors.join('; ')}` };
	}
	const reloadable = new Set<string>(RELOADABLE_KEYS);
	const needsRestart: string[] = [];
	for (const [key, value] of parsed.values) {
		if (reloadable.has(key)) env[key] = value;
		else if (key !== 'COMRADARR_ENV_FILE' && processEnv[key] !== value) needsRestart.push(key);
	}
	return { ok: true, env, file, needsRestart: needsRestart.sort() };
}
