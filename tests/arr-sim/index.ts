/**
 * arr-sim: a Sonarr v4 / Radarr v6 / Whisparr v2 / Whisparr v3 (API v3) simulator for integration
 * and e2e tests.
 *
 * `startSimulator` serves any number of instances from one `Bun.serve` HTTP server, each under its
 * own URL base. Instances expose their live, seeded library and helpers (see instance.ts);
 * `/__sim/*` is an unauthenticated control API for tests that run the simulator as a separate
 * process (see README.md).
 *
 * @example
 * const sim = await startSimulator({ instances: [{ type: 'sonarr', urlBase: '/sonarr', apiKey: KEY }] });
 * await fetch(`${sim.url}/sonarr/api/v3/series`, { headers: { 'X-Api-Key': KEY } });
 * await sim.stop();
 */
import {
	normalizeUrlBase,
	SimInstance,
	type RecordedRequest,
	type SimFault,
	type SimHealthItem,
	type SimInstanceOptions
} from './instance';
import { jsonResponse } from './wire';

export { FAULT_TIMEOUT_CAP_MS, SimInstance, normalizeUrlBase } from './instance';
export {
	DEFAULT_VERSIONS,
	RADARR_LAST_SEARCH_TIME,
	SONARR_LAST_SEARCH_TIME,
	hasLastSearchTime,
	versionAtLeast
} from './versions';
export type {
	RecordedRequest,
	ResolvedSimInstanceOptions,
	SimAppType,
	SimFault,
	SimHealthItem,
	SimInstanceOptions
} from './instance';
export type { CommandResult, CommandStatus, SimCommand } from './commands';
export { FINISHED_VISIBLE_MS, MAX_STARTED } from './commands';
export type {
	MinimumAvailability,
	MovieShape,
	SeriesShape,
	SimEpisode,
	SimEpisodeFile,
	SimLanguage,
	SimMovie,
	SimMovieFile,
	SimSeason,
	SimSeries
} from './library';
export { availabilityDate, isAvailable, movieStatus, releaseDateOf } from './radarr';
export type { SimAvailability } from './availability';
export { findableProbability, resolveAvailability } from './availability';

/** A running simulator. */
export interface Simulator {
	/** Origin only, e.g. 'http://127.0.0.1:43123'. */
	url: string;
	port: number;
	instances: SimInstance[];
	/** The instance with this urlBase (normalized: '/sonarr/' = 'sonarr' = '/sonarr'). @throws if unknown */
	instance(urlBase: string): SimInstance;
	/** Every request received by any instance, in arrival order (control requests excluded). */
	requests: RecordedRequest[];
	clearRequests(): void;
	/** Stops the server, cancelling pending fault delays and releasing held `timeout` faults. */
	stop(): Promise<void>;
}

/** Options of {@link startSimulator}. */
export interface StartSimulatorOptions {
	/** 0 = random free port (default 0). */
	port?: number;
	/** Default '127.0.0.1'. */
	hostname?: string;
	instances: SimInstanceOptions[];
}

/**
 * Starts one HTTP server hosting every instance.
 * @throws when two instances share a urlBase or the port is taken
 */
export async function startSimulator(opts: StartSimulatorOptions): Promise<Simulator> {
	const requests: RecordedRequest[] = [];
	const timers = new Set<{ timer: ReturnType<typeof setTimeout>; resolve: () => void }>();
	let stopped = false;
	let origin = '';
	const host = {
		record: (r: RecordedRequest): void => {
			requests.push(r);
		},
		sleep: (ms: number, signal?: AbortSignal): Promise<void> =>
			new Promise<void>((resolve) => {
				if (stopped || signal?.aborted) {
					resolve();
					return;
				}
				const done = (): void => {
					clearTimeout(entry.timer);
					timers.delete(entry);
					signal?.removeEventListener('abort', done);
					resolve();
				};
				const entry = { timer: setTimeout(done, ms), resolve: done };
				timers.add(entry);
				signal?.addEventListener('abort', done, { once: true });
			}),
		origin: (): string => origin,
		forgetRequests: (inst: SimInstance): void => {
			const base = inst.options.urlBase;
			let w = 0;
			for (const r of requests) {
				if (r.instance !== base) {
					requests[w++] = r;
				}
			}
			requests.length = w;
		}
	};
	const instances = opts.instances.map((o) => new SimInstance(o, host));
	const byBase = new Map<string, SimInstance>();
	for (const inst of instances) {
		if (byBase.has(inst.options.urlBase)) {
			throw new Error(`arr-sim: two instances use urlBase '${inst.options.urlBase}'`);
		}
		byBase.set(inst.options.urlBase, inst);
	}
	// Longest urlBase first so '/sonarr4k' is not swallowed by '/sonarr' (boundary-checked anyway).
	const ordered = [...instances].sort(
		(a, b) => b.options.urlBase.length - a.options.urlBase.length
	);

	const findInstance = (pathname: string): { inst: SimInstance; rest: string } | null => {
		for (const inst of ordered) {
			const base = inst.options.urlBase;
			const lowerPath = pathname.toLowerCase();
			const lowerBase = base.toLowerCase();
			if (base === '' || lowerPath === lowerBase || lowerPath.startsWith(`${lowerBase}/`)) {
				return { inst, rest: pathname.slice(base.length) };
			}
		}
		return null;
	};

	const server = Bun.serve({
		port: opts.port ?? 0,
		hostname: opts.hostname ?? '127.0.0.1',
		// Fault delays may be long; Bun's default idle timeout (10 s) would cut them.
		idleTimeout: 255,
		fetch: async (req: Request): Promise<Response> => {
			const url = new URL(req.url);
			if (url.pathname === '/__sim' || url.pathname.startsWith('/__sim/')) {
				return control(req, url);
			}
			const found = findInstance(url.pathname);
			if (!found) {
				return new Response(null, { status: 404 });
			}
			return found.inst.handle(req, url, found.rest);
		},
		error: (err: Error): Response =>
			jsonResponse({ message: err.message, description: err.stack ?? err.message }, 500)
	});

	const control = async (req: Request, url: URL): Promise<Response> => {
		const route = `${req.method} ${url.pathname.replace(/\/+$/, '')}`;
		switch (route) {
			case 'GET /__sim/requests': {
				const filter = url.searchParams.get('instance');
				const base = filter === null ? null : normalizeUrlBase(filter);
				return Response.json(
					base === null ? requests : requests.filter((r) => r.instance === base)
				);
			}
			case 'DELETE /__sim/requests':
				requests.length = 0;
				for (const inst of instances) {
					inst.requests.length = 0;
				}
				return new Response(null, { status: 204 });
			case 'POST /__sim/reset': {
				const body = await readJson(req);
				const target =
					isRecord(body) && typeof body.urlBase === 'string'
						? normalizeUrlBase(body.urlBase)
						: null;
				for (const inst of instances) {
					if (target === null || inst.options.urlBase === target) {
						inst.reset();
					}
				}
				return Response.json({ ok: true });
			}
			case 'GET /__sim/state':
				return jsonResponse(instances.map((i) => i.state()));
			case 'POST /__sim/fault': {
				const body = await readJson(req);
				if (
					!isRecord(body) ||
					typeof body.urlBase !== 'string' ||
					typeof body.pathPrefix !== 'string'
				) {
					return Response.json(
						{ message: 'expected {urlBase, pathPrefix, fault}' },
						{ status: 400 }
					);
				}
				const inst = byBase.get(normalizeUrlBase(body.urlBase));
				if (!inst) {
					return Response.json({ message: `unknown urlBase ${body.urlBase}` }, { status: 404 });
				}
				inst.setFault(body.pathPrefix, parseFault(body.fault));
				return Response.json({ ok: true });
			}
			case 'POST /__sim/health': {
				const body = await readJson(req);
				const items = isRecord(body) ? parseHealth(body.items) : null;
				if (!isRecord(body) || typeof body.urlBase !== 'string' || items === null) {
					return Response.json(
						{
							message:
								"expected {urlBase, items: [{source, type: 'ok'|'notice'|'warning'|'error', message, wikiUrl?}]}"
						},
						{ status: 400 }
					);
				}
				const inst = byBase.get(normalizeUrlBase(body.urlBase));
				if (!inst) {
					return Response.json({ message: `unknown urlBase ${body.urlBase}` }, { status: 404 });
				}
				inst.setHealth(items);
				return Response.json({ ok: true });
			}
			case 'POST /__sim/queue-status': {
				const body = await readJson(req);
				const valid = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0;
				if (
					!isRecord(body) ||
					typeof body.urlBase !== 'string' ||
					!valid(body.count) ||
					(body.unknownCount !== undefined && !valid(body.unknownCount))
				) {
					return Response.json(
						{ message: 'expected {urlBase, count, unknownCount?} (integers ≥ 0)' },
						{ status: 400 }
					);
				}
				const inst = byBase.get(normalizeUrlBase(body.urlBase));
				if (!inst) {
					return Response.json({ message: `unknown urlBase ${body.urlBase}` }, { status: 404 });
				}
				inst.setDownloadQueue(body.count as number, (body.unknownCount as number | undefined) ?? 0);
				return Response.json({ ok: true });
			}
			case 'POST /__sim/faults/clear':
				for (const inst of instances) {
					inst.clearFaults();
				}
				return Response.json({ ok: true });
			default:
				return Response.json({ message: `unknown control route ${route}` }, { status: 404 });
		}
	};

	const port = server.port ?? 0;
	origin = `http://${opts.hostname ?? '127.0.0.1'}:${port}`;
	return {
		url: origin,
		port,
		instances,
		instance(urlBase: string): SimInstance {
			const inst = byBase.get(normalizeUrlBase(urlBase));
			if (!inst) {
				throw new Error(`arr-sim: no instance at urlBase '${urlBase}'`);
			}
			return inst;
		},
		get requests(): RecordedRequest[] {
			return requests;
		},
		clearRequests(): void {
			requests.length = 0;
			for (const inst of instances) {
				inst.requests.length = 0;
			}
		},
		async stop(): Promise<void> {
			stopped = true;
			for (const t of [...timers]) {
				clearTimeout(t.timer);
				t.resolve();
			}
			timers.clear();
			await server.stop(true);
		}
	};
}

async function readJson(req: Request): Promise<unknown> {
	const text = await req.text();
	if (text.trim() === '') {
		return null;
	}
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return null;
	}
}

function isRecord(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseFault(v: unknown): SimFault | null {
	if (!isRecord(v)) {
		return null;
	}
	const fault: SimFault = {};
	if (typeof v.status === 'number') {
		fault.status = v.status;
	}
	if (typeof v.body === 'string') {
		fault.body = v.body;
	}
	if (typeof v.delayMs === 'number') {
		fault.delayMs = v.delayMs;
	}
	if (typeof v.times === 'number') {
		fault.times = v.times;
	}
	if (isRecord(v.headers)) {
		const headers: Record<string, string> = {};
		for (const [name, value] of Object.entries(v.headers)) {
			if (typeof value === 'string' || typeof value === 'number') {
				headers[name] = String(value);
			}
		}
		fault.headers = headers;
	}
	if (v.timeout === true) {
		fault.timeout = true;
	}
	return fault;
}

const HEALTH_TYPES: ReadonlySet<string> = new Set(['ok', 'notice', 'warning', 'error']);

/** Health items of `POST /__sim/health`, or null when malformed. */
function parseHealth(v: unknown): SimHealthItem[] | null {
	if (!Array.isArray(v)) {
		return null;
	}
	const items: SimHealthItem[] = [];
	for (const raw of v) {
		if (
			!isRecord(raw) ||
			typeof raw.source !== 'string' ||
			typeof raw.message !== 'string' ||
			typeof raw.type !== 'string' ||
			!HEALTH_TYPES.has(raw.type) ||
			(raw.wikiUrl !== undefined && raw.wikiUrl !== null && typeof raw.wikiUrl !== 'string')
		) {
			return null;
		}
		items.push({
			source: raw.source,
			type: raw.type as SimHealthItem['type'],
			message: raw.message,
			...(typeof raw.wikiUrl === 'string' ? { wikiUrl: raw.wikiUrl } : {})
		});
	}
	return items;
}
