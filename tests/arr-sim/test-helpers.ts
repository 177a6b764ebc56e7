/**
 * What the simulator's own tests share: HTTP calls as our app makes them, the wire shapes several
 * files assert on, and a manual clock.
 */
import type { SimInstance } from './index';

/** The paging envelope of wanted/missing and wanted/cutoff (a subset of the spec schema). */
export interface WirePage<T> {
	page: number;
	pageSize: number;
	sortKey: string;
	sortDirection: string;
	totalRecords: number;
	records: T[];
}

/** `CommandResource` (a subset of the spec schema). */
export interface WireCommand {
	id: number;
	name: string;
	commandName: string;
	status: string;
	result: string;
	message?: string;
	queued: string;
	started?: string;
	ended?: string;
	duration?: string;
	stateChangeTime?: string;
	trigger: string;
	priority: string;
	clientUserAgent?: string;
	body: Record<string, unknown>;
}

export interface Reply {
	status: number;
	headers: Headers;
	text: string;
	/** How long the request took, body included. */
	ms: number;
}

/**
 * A request to an instance with its API key in X-Api-Key: `key` sends another one, `null` none.
 * A body is sent as JSON.
 */
export async function call(
	inst: SimInstance,
	path: string,
	init: RequestInit & { key?: string | null } = {}
): Promise<Reply> {
	const headers = new Headers(init.headers);
	const key = init.key === undefined ? inst.options.apiKey : init.key;
	if (key !== null) {
		headers.set('X-Api-Key', key);
	}
	if (init.body !== undefined) {
		headers.set('content-type', 'application/json');
	}
	const t0 = performance.now();
	const res = await fetch(inst.baseUrl + path, { ...init, headers });
	const text = await res.text();
	return { status: res.status, headers: res.headers, text, ms: performance.now() - t0 };
}

/** The parsed body of a GET that must answer 200. */
export async function getJson<T>(inst: SimInstance, path: string): Promise<T> {
	const r = await call(inst, path);
	if (r.status !== 200) {
		throw new Error(`${path} → ${r.status} ${r.text}`);
	}
	return JSON.parse(r.text) as T;
}

/** POST /api/v3/command with `body`, plus any `extra` headers. */
export async function postCommand(
	inst: SimInstance,
	body: unknown,
	extra: Record<string, string> = {}
): Promise<Reply & { json: WireCommand }> {
	const r = await call(inst, '/api/v3/command', {
		method: 'POST',
		body: JSON.stringify(body),
		headers: extra
	});
	return { ...r, json: JSON.parse(r.text) as WireCommand };
}

/** Every series (Whisparr v2: site) of an instance and the episodes (scenes) of each, over HTTP. */
export async function seriesWithEpisodes<S extends { id: number }, E>(
	inst: SimInstance
): Promise<{ series: S[]; episodes: E[] }> {
	const series = await getJson<S[]>(inst, '/api/v3/series');
	const episodes: E[] = [];
	for (const s of series) {
		episodes.push(...(await getJson<E[]>(inst, `/api/v3/episode?seriesId=${s.id}`)));
	}
	return { series, episodes };
}

export interface ManualClock {
	now: () => Date;
	advance: (ms: number) => void;
	set: (ms: number) => void;
}

/** A clock that only moves when told to; pass `now` to the simulator. */
export function manualClock(start = Date.parse('2026-03-15T12:00:00Z')): ManualClock {
	let t = start;
	return {
		now: () => new Date(t),
		advance: (ms: number) => {
			t += ms;
		},
		set: (ms: number) => {
			t = ms;
		}
	};
}
