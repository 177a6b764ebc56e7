/**
 * The Prometheus scrape token: `METRICS_TOKEN`, else the contents of the file named by
 * `METRICS_TOKEN_FILE` (a Docker secret; surrounding whitespace trimmed). Read once at first use
 * and again on SIGHUP (`reload.ts`, reloader `metrics-token`), never per request.
 *
 * Without a token `/metrics` is off (404 to a signed-in user, 401 to anyone else, who cannot tell
 * it from a wrong token) and Settings → About says why; with one it answers a request bearing
 * `Authorization: Bearer <token>`, or a signed-in user (see auth.ts). A token shorter than {@link MIN_TOKEN_LENGTH} characters, or a
 * `METRICS_TOKEN_FILE` that cannot be read, keeps it off with that reason: a guessable token on
 * an endpoint that lists every connector would be worse than none.
 */
import { readFileSync } from 'node:fs';
import { onReload, type ReloadEnv } from '../../reload';

/** Shortest token accepted, characters (`openssl rand -hex 16` gives 32). */
export const MIN_TOKEN_LENGTH = 16;

/** Whether the scrape endpoint is on, and why not. Never carries the token itself to a caller. */
export type MetricsTokenState =
	| { enabled: true; source: 'METRICS_TOKEN' | 'METRICS_TOKEN_FILE'; token: string }
	| { enabled: false; reason: string };

/** What Settings shows: on/off, where the token came from, or the reason it is off. */
export type MetricsStatus =
	| { enabled: true; source: 'METRICS_TOKEN' | 'METRICS_TOKEN_FILE' }
	| { enabled: false; reason: string };

/**
 * Reads the token from `env`. Pure apart from reading `METRICS_TOKEN_FILE`.
 * @returns the token and its source, or why there is none (a sentence naming the variable, never
 *   the value).
 */
export function readMetricsToken(env: ReloadEnv): MetricsTokenState {
	const direct = env.METRICS_TOKEN?.trim();
	let token: string;
	let source: 'METRICS_TOKEN' | 'METRICS_TOKEN_FILE';
	if (direct) {
		token = direct;
		source = 'METRICS_TOKEN';
	} else if (env.METRICS_TOKEN_FILE?.trim()) {
		const file = env.METRICS_TOKEN_FILE.trim();
		try {
			token = readFileSync(file, 'utf8').trim();
		} catch (error) {
			const code = (error as { code?: unknown }).code;
			return {
				enabled: false,
				reason: `METRICS_TOKEN_FILE ${file} cannot be read${typeof code === 'string' ? ` (${code})` : ''}.`
			};
		}
		if (!token) return { enabled: false, reason: `METRICS_TOKEN_FILE ${file} is empty.` };
		source = 'METRICS_TOKEN_FILE';
	} else {
		return {
			enabled: false,
			reason: 'METRICS_TOKEN is not set (nor METRICS_TOKEN_FILE): /metrics answers 404.'
		};
	}
	if (token.length < MIN_TOKEN_LENGTH) {
		return {
			enabled: false,
			reason: `${source} is shorter than ${MIN_TOKEN_LENGTH} characters: /metrics stays off.`
		};
	}
	return { enabled: true, source, token };
}

interface TokenHolder {
	state: MetricsTokenState | null;
}

const holder: TokenHolder = ((
	globalThis as { __comradarrMetricsToken?: TokenHolder }
).__comradarrMetricsToken ??= { state: null });

/** The token state in force (read from `process.env` on first use). */
export function metricsTokenState(): MetricsTokenState {
	holder.state ??= readMetricsToken(process.env);
	return holder.state;
}

/** {@link metricsTokenState} without the token: what pages may show. */
export function metricsStatus(): MetricsStatus {
	const state = metricsTokenState();
	return state.enabled ? { enabled: true, source: state.source } : state;
}

/**
 * Re-reads the token from `env` and puts it in force.
 * @returns what changed, as sentences without the token ("metrics token changed",
 *   "metrics turned on (METRICS_TOKEN_FILE)", "metrics turned off: …"); empty when nothing did.
 */
export function reloadMetricsToken(env: ReloadEnv): string[] {
	const before = metricsTokenState();
	const after = readMetricsToken(env);
	holder.state = after;
	if (before.enabled && after.enabled) {
		if (before.token === after.token && before.source === after.source) return [];
		return before.token === after.token
			? [`metrics token now read from ${after.source}`]
			: ['metrics token changed'];
	}
	if (after.enabled) return [`metrics turned on (${after.source})`];
	if (before.enabled) return [`metrics turned off: ${after.reason}`];
	return before.reason === after.reason ? [] : [`metrics still off: ${after.reason}`];
}

onReload('metrics-token', reloadMetricsToken);
