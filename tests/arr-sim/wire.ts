/**
 * Wire-format helpers shared by the Sonarr and Radarr simulators.
 *
 * The real apps serialize with System.Text.Json: camelCase names, enums as camelCase strings,
 * null properties omitted, `DateTime` as `yyyy-MM-ddTHH:mm:ssZ` (UTC, no fractional seconds) and
 * `TimeSpan` as `hh:mm:ss.fffffff` (source: ../shared/arr-api/README.md §6).
 *
 * Resource builders in this folder never put `null` into a payload: absent values are `undefined`,
 * which `JSON.stringify` drops, so the JSON never contains `null`.
 */

/** Any JSON value a resource builder may produce; `undefined` means "omit this property". */
export type Json = string | number | boolean | undefined | Json[] | JsonObject;
/** A JSON object whose `undefined` properties are left out of the serialized text. */
export interface JsonObject {
	[key: string]: Json;
}

const DAY_MS = 86_400_000;

/**
 * Formats a UTC instant the way the *arr apps do: `2024-05-01T20:00:00Z`, seconds precision.
 * @returns `undefined` for a missing date so the property is omitted.
 */
export function wireDate(d: Date | null | undefined): string | undefined {
	if (!d) {
		return undefined;
	}
	return d.toISOString().slice(0, 19) + 'Z';
}

/** Formats a calendar day as `yyyy-MM-dd` (the `airDate` form), from a UTC instant. */
export function wireDay(d: Date): string {
	return d.toISOString().slice(0, 10);
}

/**
 * Formats a duration in milliseconds as a .NET `TimeSpan` string, e.g. 300 → `00:00:00.3000000`,
 * and 90_061_000 → `1.01:01:01` style days prefix when a day or more.
 */
export function wireTimeSpan(ms: number): string {
	const totalMs = Math.max(0, Math.round(ms));
	const days = Math.floor(totalMs / DAY_MS);
	const rest = totalMs - days * DAY_MS;
	const h = Math.floor(rest / 3_600_000);
	const m = Math.floor((rest % 3_600_000) / 60_000);
	const s = Math.floor((rest % 60_000) / 1000);
	const frac = rest % 1000;
	const two = (n: number): string => String(n).padStart(2, '0');
	const base = `${days > 0 ? `${days}.` : ''}${two(h)}:${two(m)}:${two(s)}`;
	return frac > 0 ? `${base}.${String(frac * 10_000).padStart(7, '0')}` : base;
}

/** Splits a PascalCase command name into words: `EpisodeSearch` → `Episode Search`. */
export function splitCamelCase(name: string): string {
	return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
}

/**
 * A `MediaCover` entry: the app-local URL (under the urlBase, with a cache-busting `lastWrite`)
 * and the metadata source's URL.
 */
export function mediaCover(
	urlBase: string,
	id: number,
	coverType: string,
	remoteUrl: string
): JsonObject {
	return {
		coverType,
		url: `${urlBase}/MediaCover/${id}/${coverType}.jpg?lastWrite=638500000000000000`,
		remoteUrl
	};
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' } as const;

/** A JSON response (`application/json; charset=utf-8`); `undefined` properties are omitted. */
export function jsonResponse(
	body: Json,
	status = 200,
	headers: Record<string, string> = {}
): Response {
	return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** The `{message, description?}` error body of ApiException / not-found / uncaught errors. */
export function errorResponse(status: number, message: string, description?: string): Response {
	return jsonResponse({ message, description }, status);
}

/** `404 {"message":"NotFound"}`, what the apps answer for an unknown resource id. */
export function notFound(): Response {
	return errorResponse(404, 'NotFound');
}

/**
 * An ASP.NET Core ProblemDetails 400 (model binding failure), shape of
 * fixtures/common/error-400-model-binding.json.
 * @param errors map of JSON path (e.g. `$.episodeIds[0]` or `seriesId`) to messages
 */
export function problemDetails(errors: Record<string, string[]>): Response {
	const traceId = `00-${randomHex(32)}-${randomHex(16)}-00`;
	return new Response(
		JSON.stringify({
			type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
			title: 'One or more validation errors occurred.',
			status: 400,
			errors,
			traceId
		}),
		{ status: 400, headers: { 'content-type': 'application/problem+json; charset=utf-8' } }
	);
}

/**
 * A FluentValidation failure: HTTP 400 with a JSON array of
 * `{propertyName, errorMessage, severity, errorCode, formattedMessagePlaceholderValues}`.
 */
export function validationFailure(
	propertyName: string,
	errorMessage: string,
	errorCode: string
): Response {
	return jsonResponse(
		[
			{
				propertyName,
				errorMessage,
				severity: 'error',
				errorCode,
				formattedMessagePlaceholderValues: { PropertyName: propertyName }
			}
		],
		400
	);
}

function randomHex(chars: number): string {
	let out = '';
	for (let i = 0; i < chars; i++) {
		out += Math.floor(Math.random() * 16).toString(16);
	}
	return out;
}

/**
 * Parses one query parameter as an int32 the way ASP.NET model binding does.
 * @returns the number, `undefined` when absent or empty, or `null` when present but not an integer
 */
export function queryInt(values: string[] | undefined): number | undefined | null {
	const raw = values?.[values.length - 1];
	if (raw === undefined || raw === '') {
		return undefined;
	}
	if (!/^-?\d+$/.test(raw.trim())) {
		return null;
	}
	const n = Number(raw.trim());
	return n > 2_147_483_647 || n < -2_147_483_648 ? null : n;
}

/**
 * Parses a repeated int query parameter (`episodeIds=1&episodeIds=2`).
 * Comma-separated values are not accepted (ASP.NET does not bind them either).
 * @returns the numbers, or `null` when any value is not an integer
 */
export function queryIntList(values: string[] | undefined): number[] | null {
	const out: number[] = [];
	for (const v of values ?? []) {
		const n = queryInt([v]);
		if (n === null) {
			return null;
		}
		if (n !== undefined) {
			out.push(n);
		}
	}
	return out;
}

/**
 * Parses a boolean query parameter (`true`/`false`, case-insensitive).
 * @returns the value, `undefined` when absent, or `null` when not a boolean
 */
export function queryBool(values: string[] | undefined): boolean | undefined | null {
	const raw = values?.[values.length - 1];
	if (raw === undefined || raw === '') {
		return undefined;
	}
	const v = raw.trim().toLowerCase();
	if (v === 'true') {
		return true;
	}
	if (v === 'false') {
		return false;
	}
	return null;
}

/** The ProblemDetails answer for a query value that does not bind. */
export function badQueryValue(name: string, values: string[] | undefined): Response {
	const raw = values?.[values.length - 1] ?? '';
	return problemDetails({ [name]: [`The value '${raw}' is not valid.`] });
}

/** A request as the app modules see it, after auth, routing to an instance and clock sampling. */
export interface AppRequest {
	method: string;
	/** Lower-cased path segments after `/api/v3`, e.g. `['wanted', 'missing']`. */
	segments: string[];
	/** Query parameters with lower-cased names (ASP.NET binds them case-insensitively). */
	query: Record<string, string[]>;
	/** The instance clock, ms epoch. */
	nowMs: number;
}

/** Paging parameters after parsing (`PagingRequestResource`). */
export interface Paging {
	page: number;
	pageSize: number;
	sortKey: string;
	sortDirection: 'ascending' | 'descending';
}

/**
 * Parses `page` (1), `pageSize` (10), `sortKey` and `sortDirection`. An omitted or unknown
 * `sortKey` becomes `defaultKey`; an omitted `sortDirection` means descending, and `default` means
 * the endpoint's default (also descending for the wanted endpoints) — README §4.
 * @returns the paging, or a 400 ProblemDetails response for values that do not bind
 */
export function parsePaging(
	query: Record<string, string[]>,
	validKeys: readonly string[],
	defaultKey: string
): Paging | Response {
	const page = queryInt(query.page);
	if (page === null) {
		return badQueryValue('page', query.page);
	}
	const pageSize = queryInt(query.pagesize);
	if (pageSize === null) {
		return badQueryValue('pageSize', query.pagesize);
	}
	const rawKey = query.sortkey?.[query.sortkey.length - 1];
	const sortKey = validKeys.find((k) => k.toLowerCase() === rawKey?.toLowerCase()) ?? defaultKey;
	const rawDir = query.sortdirection?.[query.sortdirection.length - 1]?.toLowerCase();
	if (
		rawDir !== undefined &&
		rawDir !== '' &&
		!['default', 'ascending', 'descending'].includes(rawDir)
	) {
		return badQueryValue('sortDirection', query.sortdirection);
	}
	return {
		page: page ?? 1,
		pageSize: pageSize ?? 10,
		sortKey,
		sortDirection: rawDir === 'ascending' ? 'ascending' : 'descending'
	};
}

/**
 * Cuts one page out of `ordered` (already in the requested order) and wraps it as a
 * `*PagingResource`. Pages below 1 behave as page 1; a page size ≤ 0 returns no records.
 */
export function pageOf<T>(
	ordered: readonly T[],
	paging: Paging,
	toResource: (item: T) => JsonObject
): JsonObject {
	const page = Math.max(1, paging.page);
	const start = (page - 1) * paging.pageSize;
	const records =
		paging.pageSize > 0 ? ordered.slice(start, start + paging.pageSize).map(toResource) : [];
	return {
		page: paging.page,
		pageSize: paging.pageSize,
		sortKey: paging.sortKey,
		sortDirection: paging.sortDirection,
		totalRecords: ordered.length,
		records
	};
}
