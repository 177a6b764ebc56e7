/**
 * The HTTP base every *arr client uses.
 *
 * - Auth by `X-Api-Key` header only (never the `apikey` query parameter, which ends up in logs).
 * - `User-Agent: Comradarr/<version>`.
 * - The host is resolved once per client and every answer checked (address-guard.ts); requests
 *   then go to a checked address, with the URL's `Host` header and, for https, the URL's host name
 *   as TLS server name (SNI and certificate check), so a DNS answer that changes after the check
 *   cannot send the request (and its API key) elsewhere. Bun's fetch has no `lookup` option, so the
 *   request names the checked IP and carries the real name in `Host` and `tls.serverName`.
 * - Per-request timeout with `AbortSignal.timeout` (default 30 s).
 * - Retries with exponential backoff and full jitter for network errors, timeouts, 5xx and 429
 *   (honouring `Retry-After`); never for other 4xx. Non-idempotent requests (POST /command) are
 *   retried only on 429/503, where the app said it did not take the request.
 * - A per-connector limit on requests in flight (default 4).
 * - Responses are JSON-decoded; decoding failures become `invalid_response`.
 * - Error messages say what went wrong (status, kind of body), never what an error body said: the
 *   body is whatever answers at the URL and may be anything. It goes to the debug log only, with
 *   the API key blanked.
 */
import { jsonArrayElements } from './json-array-stream';
import { APP_VERSION } from '../../config';
import { moduleLogger } from '../../logger';
import { ArrApiError } from './errors';
import { recordArrRequest } from './request-stats';
import { checkHost, systemResolver, type CheckedHost, type Resolver } from './address-guard';

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
	/** For log context and the request statistics (request-stats.ts); unset = not recorded. */
	connectorId?: number;
	/** How the host name is resolved before it is checked. Default: the system resolver. */
	resolver?: Resolver;
	/**
	 * Extra CA certificates (PEM) trusted for this connector besides the system's, for apps behind
	 * an internal CA. Not a connector setting yet; the TLS tests use it.
	 */
	ca?: string;
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

/** A response body as received (see `ArrHttpClient.requestBody`). */
export interface ArrBody {
	/** The body's text (empty for an empty body). */
	readonly text: string;
	/**
	 * The decoded JSON (undefined for an empty body).
	 * @throws ArrApiError `invalid_response` when the text is not JSON.
	 */
	json(): unknown;
}

/** Library reads may take this many times the connector's timeout (30 s → 2 min). */
export const LIBRARY_TIMEOUT_FACTOR = 4;

/** A counting semaphore: at most `max` holders at once, FIFO waiters. */
export class Limiter {
	#active = 0;
	readonly #waiters: (() => void)[] = [];
	constructor(readonly max: number) {}

	async run<T>(task: () => Promise<T>): Promise<T> {
		const release = await this.acquire();
		try {
			return await task();
		} finally {
			release();
		}
	}

	/** Takes a slot (waiting for one); the returned function gives it back (once). */
	async acquire(): Promise<() => void> {
		if (this.#active >= this.max) {
			await new Promise<void>((resolve) => this.#waiters.push(resolve));
		}
		this.#active++;
		let released = false;
		return () => {
			if (released) return;
			released = true;
			this.#active--;
			this.#waiters.shift()?.();
		};
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
	readonly #resolver: Resolver;
	readonly #ca: string | undefined;
	readonly #connectorId: number | undefined;
	/**
	 * The host check runs once per client, before its first request (clients are short-lived); its
	 * addresses are the only ones this client connects to.
	 */
	#target: Promise<CheckedHost> | undefined;
	/** The checked address that last accepted a connection (the next ones are tried on refusal). */
	#addressIndex = 0;
	#requestCount = 0;

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
		this.#resolver = options.resolver ?? systemResolver;
		this.#ca = options.ca;
		this.#connectorId = options.connectorId;
	}

	/** HTTP requests sent by this client so far, retries included (sync reports count them). */
	get requestCount(): number {
		return this.#requestCount;
	}

	/**
	 * Sends one request (with retries) and returns the decoded JSON body (undefined for an empty
	 * body).
	 * @throws ArrApiError of the matching kind once retries are exhausted.
	 */
	async request(method: string, path: string, options: RequestOptions = {}): Promise<unknown> {
		return (await this.requestBody(method, path, options)).json();
	}

	/**
	 * {@link request} with the body not decoded yet: its text as received, and `json()` to decode
	 * it (what `request` returns). For reads whose text alone can tell that nothing changed (the
	 * sync's per-series digest), so an unchanged body is never parsed.
	 * @throws ArrApiError as {@link request}; `json()` throws `invalid_response` for a body that is
	 *   not JSON.
	 */
	async requestBody(method: string, path: string, options: RequestOptions = {}): Promise<ArrBody> {
		const idempotent = options.idempotent ?? (method === 'GET' || method === 'HEAD');
		const url = buildUrl(this.baseUrl, path, options.query);
		this.#target ??= checkHost(new URL(this.baseUrl).hostname, this.#resolver);
		const target = await this.#target;
		for (let attempt = 0; ; attempt++) {
			try {
				return await this.#limiter.run(() => this.#once(method, url, options, target));
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

	/**
	 * A GET whose body is a JSON array, parsed as it arrives ({@link jsonArrayElements}: element
	 * by element, `@streamparser/json`'s tokenizer finding the bounds): yields the array's elements in order, in batches of `batchSize` (the last one
	 * smaller), and reads the next part of the body only when the consumer asks for the next
	 * batch, so a library of any size is never held whole. Retries like {@link request} until the first batch was yielded; a
	 * failure after that is thrown (the caller has seen part of the list and must not see it twice).
	 * @throws ArrApiError: the kinds of {@link request}; `invalid_response` when the body is not a
	 *   JSON array or breaks off mid-document.
	 */
	async *streamList(
		path: string,
		options: RequestOptions & { batchSize?: number } = {}
	): AsyncGenerator<unknown[]> {
		const url = buildUrl(this.baseUrl, path, options.query);
		this.#target ??= checkHost(new URL(this.baseUrl).hostname, this.#resolver);
		const target = await this.#target;
		const batchSize = options.batchSize ?? 500;
		for (let attempt = 0; ; attempt++) {
			const release = await this.#limiter.acquire();
			let yielded = false;
			try {
				const response = await this.#send('GET', url, options, target);
				const body = response.body;
				if (!body) {
					throw new ArrApiError('invalid_response', `GET ${path}: expected a list`, { url });
				}
				let pending: unknown[] = [];
				let first = true;
				const parser = jsonArrayElements((value) => {
					pending.push(value);
				});
				const reader = body.getReader();
				try {
					for (;;) {
						let chunk: Awaited<ReturnType<typeof reader.read>>;
						try {
							chunk = await reader.read();
						} catch (cause) {
							throw new ArrApiError(
								'timeout',
								`GET ${path}: body not received`,
								{ url },
								{ cause }
							);
						}
						if (chunk.done) break;
						if (first) {
							const start = firstNonSpaceByte(chunk.value);
							if (start === -1) continue;
							first = false;
							if (start !== 0x5b /* [ */) {
								throw new ArrApiError('invalid_response', `GET ${path}: expected a list`, { url });
							}
						}
						try {
							parser.write(chunk.value);
						} catch (cause) {
							throw new ArrApiError(
								'invalid_response',
								`GET ${path}: HTTP ${response.status} with a body that is not JSON`,
								{ url, status: response.status },
								{ cause }
							);
						}
						while (pending.length >= batchSize) {
							const out = pending.length === batchSize ? pending : pending.slice(0, batchSize);
							pending = pending.length === batchSize ? [] : pending.slice(batchSize);
							yielded = true;
							yield out;
						}
					}
					if (first) {
						throw new ArrApiError('invalid_response', `GET ${path}: expected a list`, { url });
					}
					try {
						parser.end();
					} catch (cause) {
						throw new ArrApiError(
							'invalid_response',
							`GET ${path}: the list broke off mid-document`,
							{ url, status: response.status },
							{ cause }
						);
					}
				} finally {
					reader.releaseLock();
				}
				if (pending.length > 0) {
					yielded = true;
					yield pending;
				}
				return;
			} catch (error) {
				if (!(error instanceof ArrApiError) || yielded) throw error;
				const retryable =
					error.kind === 'rate_limited' ||
					(error.kind === 'server_error' && error.status === 503) ||
					error.transient;
				if (!retryable || attempt >= this.#retries) throw error;
				const delay =
					error.info.retryAfterMs ?? backoffDelay(attempt, this.#backoffBaseMs, this.#backoffCapMs);
				this.#log.debug({ path, attempt, delay, kind: error.kind }, 'retrying');
				release();
				await Bun.sleep(Math.min(delay, 60_000));
			} finally {
				release();
			}
		}
	}

	#timeoutFor(options: RequestOptions): number {
		return (
			options.timeoutMs ??
			(options.library ? this.#timeoutMs * LIBRARY_TIMEOUT_FACTOR : this.#timeoutMs)
		);
	}

	/**
	 * Fetches `url` from one of `target`'s checked addresses: the first that accepts a connection,
	 * starting from the one that answered last (a refused connection tries the next, so a name with
	 * an IPv6 and an IPv4 answer works whichever the app listens on).
	 */
	async #fetchChecked(
		url: string,
		init: BunFetchRequestInit,
		target: CheckedHost,
		context: RequestContext
	): Promise<Response> {
		const original = new URL(url);
		const headers = new Headers(init.headers);
		headers.set('Host', original.host);
		const tls: NonNullable<BunFetchRequestInit['tls']> = {};
		if (original.protocol === 'https:') {
			// The certificate is checked against the name in the URL, not the address connected to.
			if (!target.isAddress) tls.serverName = target.hostname;
			if (this.#skipTlsVerify) tls.rejectUnauthorized = false;
			if (this.#ca !== undefined) tls.ca = this.#ca;
		}
		const count = target.addresses.length;
		for (let tried = 1; ; tried++) {
			const index = (this.#addressIndex + tried - 1) % count;
			const address = target.addresses[index]!;
			const wire = new URL(url);
			wire.hostname = address.includes(':') ? `[${address}]` : address;
			try {
				const response = await fetch(wire, { ...init, headers, tls });
				this.#addressIndex = index;
				return response;
			} catch (cause) {
				// Refused before anything was sent: the next checked address may be the one listening.
				if (isConnectionRefused(cause) && tried < count) continue;
				throw networkError(cause, context, url, target.hostname);
			}
		}
	}

	async #once(
		method: string,
		url: string,
		options: RequestOptions,
		target: CheckedHost
	): Promise<ArrBody> {
		const started = performance.now();
		const path = url.slice(this.baseUrl.length);
		const response = await this.#send(method, url, options, target);
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
		const json = (): unknown => {
			if (text.length === 0) return undefined;
			try {
				return JSON.parse(text) as unknown;
			} catch (cause) {
				this.#logBody(method, path, response.status, text);
				throw new ArrApiError(
					'invalid_response',
					`${method} ${path}: HTTP ${response.status} with a body that is not JSON (${describeBody(text, response.headers.get('content-type'))})`,
					{ url, status: response.status },
					{ cause }
				);
			}
		};
		return { text, json };
	}

	/**
	 * Sends one attempt and returns a 2xx response with its body unread.
	 * @throws ArrApiError for anything but 2xx (the error body is read for the debug log only).
	 */
	async #send(
		method: string,
		url: string,
		options: RequestOptions,
		target: CheckedHost
	): Promise<Response> {
		const path = url.slice(this.baseUrl.length);
		const headers: Record<string, string> = {
			'X-Api-Key': this.#apiKey,
			'User-Agent': `Comradarr/${APP_VERSION}`,
			Accept: 'application/json'
		};
		if (options.body !== undefined) headers['Content-Type'] = 'application/json';
		const timeoutMs = this.#timeoutFor(options);
		const init: BunFetchRequestInit = {
			method,
			headers,
			signal: AbortSignal.timeout(timeoutMs),
			redirect: 'manual'
		};
		if (options.body !== undefined) init.body = JSON.stringify(options.body);

		this.#requestCount++;
		const started = performance.now();
		let response: Response;
		try {
			response = await this.#fetchChecked(url, init, target, { method, path, timeoutMs });
		} catch (error) {
			this.#record(started, error instanceof ArrApiError ? error.kind : 'unreachable');
			throw error;
		}
		const status = response.status;
		this.#record(started, status);
		if (status >= 200 && status < 300) return response;
		let text = '';
		try {
			text = await response.text();
		} catch {
			// The status says enough; the body was for the debug log only.
		}
		const failure = `${method} ${path}: HTTP ${status}`;
		if (status === 401 || status === 403) {
			throw new ArrApiError('unauthorized', failure, { url, status });
		}
		if (status === 404) {
			throw new ArrApiError('not_found', failure, { url, status });
		}
		if (status === 429) {
			const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
			throw new ArrApiError('rate_limited', failure, {
				url,
				status,
				...(retryAfterMs === undefined ? {} : { retryAfterMs })
			});
		}
		if (status >= 300 && status < 400) {
			throw new ArrApiError(
				'not_found',
				`${method} ${path}: redirected (HTTP ${status}); check the URL base`,
				{ url, status }
			);
		}
		const bodyKind = describeBody(text, response.headers.get('content-type'));
		this.#logBody(method, path, status, text);
		const kind = status >= 500 ? 'server_error' : 'bad_request';
		const what = status >= 500 ? 'the app failed to handle the request' : 'the app refused it';
		throw new ArrApiError(kind, `${failure}: ${what} (${bodyKind})`, { url, status });
	}

	/** `outcome`: the HTTP status, or the error kind of an attempt that got no response. */
	#record(started: number, outcome: number | string): void {
		if (this.#connectorId !== undefined) {
			const ok = typeof outcome === 'number' && outcome < 400;
			const ms = performance.now() - started;
			recordArrRequest(this.#connectorId, ms, ok, Date.now(), `${outcome}`);
		}
	}

	/** The start of an unexpected body, for the debug log only, with the API key blanked. */
	#logBody(method: string, path: string, status: number, text: string): void {
		if (!this.#log.isLevelEnabled('debug')) return;
		const excerpt = text.slice(0, 500).replaceAll(this.#apiKey, '[redacted]');
		this.#log.debug({ method, path, status, body: excerpt }, 'arr error body');
	}
}

/** What identifies one request in error details. */
interface RequestContext {
	method: string;
	path: string;
	timeoutMs: number;
}

/** Errors of a connection that was never made: refused, or no route to the address. */
const CONNECTION_REFUSED = new Set([
	'ECONNREFUSED',
	'ConnectionRefused',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'EADDRNOTAVAIL'
]);

function errorCode(error: unknown): string {
	const code = error && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
	return typeof code === 'string' ? code : '';
}

function isConnectionRefused(error: unknown): boolean {
	return CONNECTION_REFUSED.has(errorCode(error));
}

/** Certificate failures reported by Bun's fetch (BoringSSL verify codes and Node's TLS codes). */
function isTlsFailure(code: string): boolean {
	return /^ERR_TLS_|CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code);
}

/** A fetch that threw (no response) as a timeout, a certificate refusal or an unreachable host. */
function networkError(
	cause: unknown,
	{ method, path, timeoutMs }: RequestContext,
	url: string,
	hostname: string
): ArrApiError {
	const name = cause instanceof Error ? cause.name : '';
	if (name === 'TimeoutError' || name === 'AbortError') {
		return new ArrApiError(
			'timeout',
			`${method} ${path}: no answer within ${timeoutMs} ms`,
			{ url },
			{ cause }
		);
	}
	const code = errorCode(cause);
	if (isTlsFailure(code)) {
		return new ArrApiError(
			'unreachable',
			`${method} ${path}: TLS certificate refused (${code})`,
			{ url },
			{
				cause,
				message:
					`Could not reach the app securely: the TLS certificate of ${hostname} was refused ` +
					`(${code}). For a self-signed certificate, turn on "Skip TLS certificate verification".`
			}
		);
	}
	const text = cause instanceof Error ? cause.message : String(cause);
	return new ArrApiError('unreachable', `${method} ${path}: ${text}`, { url }, { cause });
}

/**
 * What kind of body an error answer had, without its text: "an empty body", "a JSON list of 3
 * validation errors", "a JSON error message", "an HTML page (a proxy or another web app?)",
 * "a text body (120 bytes)". The *arr apps answer errors with `{message}` (ApiException), a
 * ProblemDetails object or a FluentValidation array; anything else came from something else.
 */
export function describeBody(text: string, contentType: string | null): string {
	if (text.trim().length === 0) return 'an empty body';
	const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
	try {
		const parsed = JSON.parse(text) as unknown;
		if (Array.isArray(parsed)) {
			const errors = parsed.filter(
				(item) => item && typeof item === 'object' && 'errorMessage' in item
			).length;
			return errors > 0
				? `a JSON list of ${errors} validation error${errors === 1 ? '' : 's'}`
				: 'a JSON list';
		}
		if (parsed && typeof parsed === 'object') {
			return 'message' in parsed || 'title' in parsed ? 'a JSON error message' : 'a JSON object';
		}
		return 'a JSON value';
	} catch {
		// not JSON
	}
	if (type === 'text/html' || /^\s*<(!doctype|html)/i.test(text)) {
		return 'an HTML page (a proxy or another web app?)';
	}
	return `a ${type || 'text'} body (${text.length} bytes)`;
}

/** The first byte that is not JSON whitespace, or -1 when there is none. */
function firstNonSpaceByte(bytes: Uint8Array): number {
	for (const b of bytes) {
		if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b;
	}
	return -1;
}
