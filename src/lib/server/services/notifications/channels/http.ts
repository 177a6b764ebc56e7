/**
 * The one way a channel sender talks HTTP: a single POST to a URL whose host passed the
 * connectors' address guard (connectors/common/address-guard.ts), sent to the checked address
 * itself (the URL's name travels in `Host` and, for https, as TLS server name), so a DNS answer
 * that changes after the check (DNS rebinding) cannot send a token elsewhere. Loopback and LAN are
 * allowed (self-hosted ntfy / Gotify); link-local, unspecified and metadata addresses are refused
 * before anything connects.
 *
 * Nothing here throws: every outcome is an `HttpOutcome` (an answer of any status, or a
 * `SendResult` describing why there is none), and `resultForStatus` turns a non-2xx answer into
 * the shared classification: 408, 429 and 5xx retryable, every other 4xx not; redirects are not
 * followed (the target of a redirect was never checked) and are not retryable.
 *
 * Error sentences name the target by a caller-given label ("the Discord webhook",
 * "ntfy at https://ntfy.lan") and pass through `redact`, which blanks every secret the caller
 * lists: a webhook URL or a bot token never reaches the delivery log.
 */
import { APP_VERSION } from '$lib/server/config';
import { ArrApiError } from '$lib/server/connectors/common/errors';
import {
	checkHost,
	systemResolver,
	type CheckedHost,
	type Resolver
} from '$lib/server/connectors/common/address-guard';
import { parseRetryAfter } from '$lib/server/connectors/common/http';
import type { SendOptions, SendResult } from './types';

/** Default per-attempt timeout, in ms. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Answers longer than this (characters) are cut when read; channels answer a few hundred bytes. */
const MAX_ANSWER_CHARS = 64 * 1024;

export interface PostRequest {
	/** Absolute http(s) URL. */
	url: string;
	/** The body: JSON text, form-encoded text, or raw bytes. */
	body: string;
	contentType: string;
	headers?: Record<string, string>;
	/** Names the target in error sentences, without secrets ("the Slack webhook"). */
	label: string;
	/** Strings to blank in any error sentence (tokens, the full URL, its path). */
	secrets: readonly (string | undefined)[];
	options?: SendOptions | undefined;
	resolver?: Resolver | undefined;
}

/** A server's answer: status, headers and (up to 64 KiB of) its body text. */
export interface HttpAnswer {
	status: number;
	headers: Headers;
	text: string;
}

export type HttpOutcome = { answer: HttpAnswer } | { failure: SendResult };

/** A failed result (no exception ever leaves a sender). */
export function failure(
	error: string,
	retryable: boolean,
	responseCode: number | null = null,
	retryAfterMs?: number
): SendResult {
	return {
		ok: false,
		responseCode,
		error,
		retryable,
		...(retryAfterMs === undefined ? {} : { retryAfterMs })
	};
}

/** A successful result. */
export function success(responseCode: number | null): SendResult {
	return { ok: true, responseCode, error: null, retryable: false };
}

/**
 * `text` with every listed secret (and its URL-encoded form) replaced by `[redacted]`. Secrets
 * shorter than 4 characters are not searched (they would blank ordinary words).
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
	let out = text;
	const all = secrets
		.filter((s): s is string => typeof s === 'string' && s.length >= 4)
		.flatMap((s) => [s, encodeURIComponent(s)])
		.sort((a, b) => b.length - a.length);
	for (const secret of all) out = out.replaceAll(secret, '[redacted]');
	return out;
}

/**
 * The parts of a URL that may be secret: the URL itself, its path and query, and (with
 * `segments`, for URLs that are wholly a credential: Discord / Slack webhooks) each path segment
 * of 8 characters or more.
 */
export function urlSecrets(url: string, segments = true): string[] {
	try {
		const parsed = new URL(url);
		const parts = segments
			? parsed.pathname.split('/').filter((segment) => segment.length >= 8)
			: [];
		return [url, parsed.href, parsed.pathname + parsed.search, parsed.search.slice(1), ...parts];
	} catch {
		return [url];
	}
}

/** The signal of one attempt: the timeout combined with the caller's (shutdown) signal. */
function attemptSignal(options: SendOptions | undefined): {
	signal: AbortSignal;
	timeoutMs: number;
} {
	const timeoutMs = options?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
	const timeout = AbortSignal.timeout(timeoutMs);
	return {
		signal: options?.signal ? AbortSignal.any([timeout, options.signal]) : timeout,
		timeoutMs
	};
}

/**
 * The outcome of a fetch or body read that threw: a timeout, a shutdown abort, or a network
 * failure (refused, reset, TLS). All retryable: the next attempt may find the server up.
 */
function thrownFailure(
	cause: unknown,
	label: string,
	timeoutMs: number,
	options: SendOptions | undefined,
	secrets: readonly (string | undefined)[]
): SendResult {
	if (options?.signal?.aborted) return failure(`${label}: the attempt was cancelled`, true);
	const name = cause instanceof Error ? cause.name : '';
	if (name === 'TimeoutError' || name === 'AbortError') {
		return failure(`${label}: no answer within ${timeoutMs} ms`, true);
	}
	const code = errorCode(cause);
	if (/^ERR_TLS_|CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)) {
		return failure(`${label}: the TLS certificate was refused (${code})`, true);
	}
	if (CONNECTION_REFUSED.has(code)) {
		return failure(`${label}: connection refused or host unreachable (${code})`, true);
	}
	const text = cause instanceof Error ? cause.message : String(cause);
	return failure(redact(`${label}: ${text}${code ? ` (${code})` : ''}`, secrets), true);
}

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

/**
 * Resolves and checks a host name (or IP address; IPv6 with or without brackets).
 * @returns the checked host, or the failure: refused address (not retryable), unresolvable name
 *   (retryable: DNS may come back).
 */
export async function checkHostname(
	hostname: string,
	label: string,
	resolver: Resolver = systemResolver
): Promise<{ target: CheckedHost } | { failure: SendResult }> {
	try {
		return { target: await checkHost(hostname, resolver) };
	} catch (error) {
		if (error instanceof ArrApiError && error.kind === 'refused_address') {
			return { failure: failure(`${label}: refused, ${error.detail}`, false) };
		}
		const detail = error instanceof ArrApiError ? error.detail : String(error);
		return { failure: failure(`${label}: ${detail}`, true) };
	}
}

/**
 * Sends one POST (no retries, no redirects) and reads the answer.
 * @returns `{ answer }` for any HTTP status, `{ failure }` when the URL is unusable, the address
 *   is refused, or nothing answered in time.
 */
export async function postChecked(request: PostRequest): Promise<HttpOutcome> {
	const { label, secrets, options } = request;
	let url: URL;
	try {
		url = new URL(request.url);
	} catch {
		return { failure: failure(`${label}: the URL is not a valid absolute URL`, false) };
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		return { failure: failure(`${label}: only http and https URLs are supported`, false) };
	}
	const checked = await checkHostname(url.hostname, label, request.resolver);
	if ('failure' in checked) return checked;
	const { target } = checked;

	const headers = new Headers(request.headers);
	headers.set('Content-Type', request.contentType);
	headers.set('User-Agent', `Comradarr/${APP_VERSION}`);
	headers.set('Host', url.host);
	const tls: NonNullable<BunFetchRequestInit['tls']> = {};
	// The certificate is checked against the name in the URL, not the address connected to.
	if (url.protocol === 'https:' && !target.isAddress) tls.serverName = target.hostname;

	const { signal, timeoutMs } = attemptSignal(options);
	const count = target.addresses.length;
	for (let tried = 1; ; tried++) {
		const address = target.addresses[tried - 1]!;
		const wire = new URL(url);
		wire.hostname = address.includes(':') ? `[${address}]` : address;
		try {
			const response = await fetch(wire, {
				method: 'POST',
				headers,
				body: request.body,
				signal,
				redirect: 'manual',
				tls
			});
			const text = (await response.text()).slice(0, MAX_ANSWER_CHARS);
			return { answer: { status: response.status, headers: response.headers, text } };
		} catch (cause) {
			// Refused before anything was sent: the next checked address may be the one listening.
			if (CONNECTION_REFUSED.has(errorCode(cause)) && tried < count) continue;
			return { failure: thrownFailure(cause, label, timeoutMs, options, secrets) };
		}
	}
}

/**
 * The failed result for a non-2xx answer: 408, 429 and 5xx retryable (with `Retry-After` as
 * `retryAfterMs`), 3xx and other 4xx not.
 * @param detail a short, already safe explanation from the answer ("chat not found"), or null.
 */
export function resultForStatus(
	answer: HttpAnswer,
	label: string,
	detail: string | null,
	secrets: readonly (string | undefined)[],
	retryAfterMs: number | undefined = parseRetryAfter(answer.headers.get('retry-after'))
): SendResult {
	const { status } = answer;
	const suffix = detail ? `: ${detail}` : '';
	if (status >= 300 && status < 400) {
		return failure(
			`${label}: redirected (HTTP ${status}), not followed; check the URL`,
			false,
			status
		);
	}
	const retryable = status === 408 || status === 429 || status >= 500;
	const what =
		status === 429
			? 'rate limited'
			: status >= 500
				? 'server error'
				: status === 401 || status === 403
					? 'refused the credentials'
					: status === 404
						? 'not found'
						: 'rejected the request';
	return failure(
		redact(`${label}: HTTP ${status}, ${what}${suffix}`, secrets),
		retryable,
		status,
		retryable ? retryAfterMs : undefined
	);
}

/** JSON.parse that gives undefined instead of throwing. */
export function parseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

/** A string field of a JSON object answer, cut to 200 characters, or null. */
export function stringField(value: unknown, key: string): string | null {
	if (!value || typeof value !== 'object') return null;
	const field = (value as Record<string, unknown>)[key];
	return typeof field === 'string' && field.length > 0 ? field.slice(0, 200) : null;
}

/** `text` cut to `max` characters, the last one an ellipsis when cut. */
export function truncate(text: string, max: number): string {
	if (text.length <= max) return text;
	return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** A required non-empty string of a configuration, or null. */
export function requiredString(value: unknown): string | null {
	return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** `scheme://host[:port]` of a URL, or "the configured server" when it does not parse. */
export function originOf(url: string): string {
	try {
		return new URL(url).origin;
	} catch {
		return 'the configured server';
	}
}
