/**
 * The HTTP base every *arr client uses.
 *
 * - Auth by `X-Api-Key` header only (never the `apikey` query parameter, which ends up in logs).
 * - `User-Agent: Comradarr/<version>`.
 * - Per-request timeout with `AbortSignal.timeout` (default 30 s).
 * - Retries with exponential backoff and full jitter for network errors, timeouts, 5xx and 429
 *   (honouring `Retry-After`); never for other 4xx. Non-idempotent requests (POST /command) are
 *   retried only on 429/503, where the app said it did not take the request.
 * - A per-connector limit on requests in flight (default 4).
 * - Responses are JSON-decoded; decoding failures become `invalid_response`.
 */
import { APP_VERSION } from '../../config';
import { moduleLogger } from '../../logger';
import { ArrApiError } from './errors';
import { assertAllowedHost } from './address-guard';

const log = moduleLogger('arr-http');

export interface ArrHttpOptions {
	/** Base URL including the URL base, no trailing slash. */
	baseUrl: string;
	apiKey: string;
	/** Per attempt, in ms. Default 30 000. */
	timeoutMs?: number;
	/** Extra attempts after the first for retryable failures. Default 2. */
	retries?: number;
	/** Backoff base and cap, in ms. Defaults 500 and 10 000. */
	backoffBaseMs?: number;
	backoffCapMs?: number;
	/** Accept self-signed certificates. Default false. */
	skipTlsVerify?: boolean;
	/** Shared limiter for this connector's requests in flight. */
	limiter?: Limiter;
	/** For log context. */
	connectorId?: number;
}

export interface RequestOptions {
	query?: Record<string, string | number | boolean | readonly (string | number)[] | undefined>;
	body?: unknown;
	/** Default: true for GET/HEAD, false otherwise. */
	idempotent?: boolean;
	/** Override the connector timeout for this call. */
	timeoutMs?: number;
	/**
	 * A whole-library read (series, episodes of a series, movies, wanted pages): big libraries make
	 * the apps slow (DESIGN.md pitfalls), so these get LIBRARY_TIMEOUT_FACTOR × the connector timeout.
	 */
	library?: boolean;
}

/** Library reads may take this many times the connector's timeout (30 s → 2 min). */
export const LIBRARY_TIMEOUT_FACTOR = 4;

/** A counting semaphore: at most `max` holders at once, FIFO waiters. */
export class Limiter {
	#active = 0;
	readonly #waiters: (() => void)[] = [];
	constructor(readonly max: number) {}

	async run<T>(task: () => Promise<T>): Promise<T> {
		if (this.#active >= this.max) {
			await new Promise<void>((resolve) => this.#waiters.push(resolve));
		}
		this.#active++;
		try {
			return await task();
		} finally {
			this.#active--;
			this.#waiters.shift()?.();
		}
	}
}

/** Builds `base + path + ?query`; arrays become repeated parameters (`episodeIds=1&episodeIds=2`). */
export function buildUrl(
	baseUrl: string,
	path: string,
	query: RequestOptions['query'] = {}
): string {
	const url = new URL(baseUrl + path);
	for (const [key, value] of Object.entries(query)) {
		if (value === undefined) continue;
		if (Array.isArray(value)) for (const v of value) url.searchParams.append(key, String(v));
		else url.searchParams.set(key, String(value));
	}
	return url.toString();
}

/** Full-jitter backoff: a random delay in [0, min(cap, base · 2^attempt)) ms. */
export function backoffDelay(
	attempt: number,
	baseMs: number,
	capMs: number,
	random = Math.random
): number {
	return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/** `Retry-After` as ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
	if (!value) return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export class ArrHttpClient {
	readonly baseUrl: string;
	readonly #apiKey: string;
	readonly #timeoutMs: number;
	readonly #retries: number;
	readonly #backoffBaseMs: number;
	readonly #backoffCapMs: number;
	readonly #skipTlsVerify: boolean;
	readonly #limiter: Limiter;
	readonly #log;
	/** The host check runs once per client, before its first request (clients are short-lived). */
	#hostChecked: Promise<void> | undefined;

	constructor(options: ArrHttpOptions) {
		this.baseUrl = options.baseUrl.replace(/\/+$/, '');
		this.#apiKey = options.apiKey;
		this.#timeoutMs = options.timeoutMs ?? 30_000;
		this.#retries = options.retries ?? 2;
		this.#backoffBaseMs = options.backoffBaseMs ?? 500;
		this.#backoffCapMs = options.backoffCapMs ?? 10_000;
		this.#skipTlsVerify = options.skipTlsVerify ?? false;
		this.#limiter = options.limiter ?? new Limiter(4);
		this.#log = log.child({ connectorId: options.connectorId });
	}

	/**
	 * Sends one request (with retries) and returns the decoded JSON body (undefined for an empty
	 * body).
	 * @throws ArrApiError of the matching kind once retries are exhausted.
	 */
	async request(method: string, path: string, options: RequestOptions = {}): Promise<unknown> {
		const idempotent = options.idempotent ?? (method === 'GET' || method === 'HEAD');
		const url = buildUrl(this.baseUrl, path, options.query);
		this.#hostChecked ??= assertAllowedHost(new URL(this.baseUrl).hostname);
		await this.#hostChecked;
		for (let attempt = 0; ; attempt++) {
			try {
				return await this.#limiter.run(() => this.#once(method, url, options));
			} catch (error) {
				if (!(error instanceof ArrApiError)) throw error;
				const retryable =
					error.kind === 'rate_limited' ||
					(error.kind === 'server_error' && error.status === 503) ||
					(idempotent && error.transient);
				if (!retryable || attempt >= this.#retries) throw error;
				const delay =
					error.info.retryAfterMs ?? backoffDelay(attempt, this.#backoffBaseMs, this.#backoffCapMs);
				this.#log.debug({ method, path, attempt, delay, kind: error.kind }, 'retrying');
				await Bun.sleep(Math.min(delay, 60_000));
			}
		}
	}

	#timeoutFor(options: RequestOptions): number {
		return (
			options.timeoutMs ??
			(options.library ? this.#timeoutMs * LIBRARY_TIMEOUT_FACTOR : this.#timeoutMs)
		);
	}

	async #once(method: string, url: string, options: RequestOptions): Promise<unknown> {
		const started = performance.now();
		const path = url.slice(this.baseUrl.length);
		const headers: Record<string, string> = {
			'X-Api-Key': this.#apiKey,
			'User-Agent': `Comradarr/${APP_VERSION}`,
			Accept: 'application/json'
		};
		if (options.body !== undefined) headers['Content-Type'] = 'application/json';
		const init: RequestInit & { tls?: { rejectUnauthorized: boolean } } = {
			method,
			headers,
			signal: AbortSignal.timeout(this.#timeoutFor(options)),
			redirect: 'manual'
		};
		if (options.body !== undefined) init.body = JSON.stringify(options.body);
		if (this.#skipTlsVerify) init.tls = { rejectUnauthorized: false };

		let response: Response;
		try {
			response = await fetch(url, init);
		} catch (cause) {
			const name = cause instanceof Error ? cause.name : '';
			if (name === 'TimeoutError' || name === 'AbortError') {
				throw new ArrApiError(
					'timeout',
					`${method} ${path}: no answer within ${this.#timeoutFor(options)} ms`,
					{ url },
					{ cause }
				);
			}
			const text = cause instanceof Error ? cause.message : String(cause);
			throw new ArrApiError('unreachable', `${method} ${path}: ${text}`, { url }, { cause });
		}
		let text: string;
		try {
			text = await response.text();
		} catch (cause) {
			throw new ArrApiError(
				'timeout',
				`${method} ${path}: body not received`,
				{ url, status: response.status },
				{ cause }
			);
		}
		this.#log.debug(
			{
				method,
				path,
				status: response.status,
				ms: Math.round(performance.now() - started),
				bytes: text.length
			},
			'arr request'
		);
		const status = response.status;
		if (status === 401 || status === 403) {
			throw new ArrApiError('unauthorized', `${method} ${path}: HTTP ${status}`, { url, status });
		}
		if (status === 404) {
			throw new ArrApiError('not_found', `${method} ${path}: HTTP 404`, { url, status });
		}
		if (status === 429) {
			const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
			throw new ArrApiError('rate_limited', `${method} ${path}: HTTP 429`, {
				url,
				status,
				...(retryAfterMs === undefined ? {} : { retryAfterMs })
			});
		}
		if (status >= 500) {
			throw new ArrApiError(
				'server_error',
				`${method} ${path}: HTTP ${status} ${errorText(text)}`,
				{ url, status }
			);
		}
		if (status >= 300 && status < 400) {
			throw new ArrApiError(
				'not_found',
				`${method} ${path}: redirected (HTTP ${status}); check the URL base`,
				{ url, status }
			);
		}
		if (status >= 400) {
			throw new ArrApiError('bad_request', `${method} ${path}: HTTP ${status} ${errorText(text)}`, {
				url,
				status
			});
		}
		if (text.length === 0) return undefined;
		try {
			return JSON.parse(text) as unknown;
		} catch (cause) {
			throw new ArrApiError(
				'invalid_response',
				`${method} ${path}: body is not JSON (${text.slice(0, 80)})`,
				{ url, status },
				{ cause }
			);
		}
	}
}

/**
 * The readable part of an *arr error body: `{message}` (ApiException), ProblemDetails `{title}`
 * (model binding), the first `errorMessage` of a FluentValidation array; else a short excerpt.
 */
export function errorText(text: string): string {
	try {
		const parsed = JSON.parse(text) as unknown;
		if (Array.isArray(parsed)) {
			const first = parsed[0] as { errorMessage?: unknown } | undefined;
			if (first && typeof first.errorMessage === 'string') return first.errorMessage;
		} else if (parsed && typeof parsed === 'object') {
			const body = parsed as { message?: unknown; title?: unknown };
			if (typeof body.message === 'string') return body.message;
			if (typeof body.title === 'string') return body.title;
		}
	} catch {
		// not JSON: fall through
	}
	return text.slice(0, 120);
}
