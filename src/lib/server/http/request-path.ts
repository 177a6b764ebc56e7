/**
 * The path every policy decision is made on (STACK.md trap 20).
 *
 * SvelteKit routes on `decodeURI(url.pathname)` (kit `decode_pathname`: `%61pi` is `api`, while
 * reserved characters such as `%2F` and `%3F` stay encoded), so a guard that tests the raw
 * pathname can be walked around: `POST /%61pi/v1/queue/dispatch` reaches the API route while
 * `startsWith('/api/')` says it is not the API. The guard therefore decides on exactly the string
 * SvelteKit routes on, and refuses the encodings whose meaning depends on who reads them:
 *
 * - an encoded `/` or `\` (`%2F`, `%5C`): one segment to the router, two to a proxy or a file
 *   system;
 * - an encoded `%` (`%25`): double encoding, decoded once more by something downstream;
 * - encoded control characters (`%00`–`%1F`, `%7F`), a `%` not followed by two hex digits, and
 *   escapes that are not valid UTF-8 (overlong `%C0%AE`, a lone `%FF`);
 * - empty segments (`//`) and dot segments (`.`, `..`) — the URL parser resolves literal and
 *   `%2e` dots before we see them, so these come only from hand-made requests.
 */

/** The decoded path, or why the raw one was refused. */
export type RequestPath = { ok: true; path: string } | { ok: false; reason: string };

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Decodes a raw `url.pathname` the way SvelteKit's router does, or refuses it (see the module
 * comment for the rules).
 * @returns `{ ok: true, path }` with the decoded path, or `{ ok: false, reason }` naming the rule.
 */
export function normaliseRequestPath(raw: string): RequestPath {
	if (!raw.startsWith('/')) return { ok: false, reason: 'the path must start with /' };
	for (const match of raw.matchAll(/%(.{0,2})/gs)) {
		const hex = match[1] ?? '';
		if (!/^[0-9a-fA-F]{2}$/.test(hex)) return { ok: false, reason: 'malformed percent-escape' };
		const byte = parseInt(hex, 16);
		if (byte === 0x2f || byte === 0x5c) return { ok: false, reason: 'encoded / or \\' };
		if (byte === 0x25) return { ok: false, reason: 'double encoding (%25)' };
		if (byte < 0x20 || byte === 0x7f) return { ok: false, reason: 'encoded control character' };
	}
	let path: string;
	try {
		path = decodeURI(raw);
	} catch {
		return { ok: false, reason: 'escapes that are not valid UTF-8' };
	}
	if (CONTROL.test(path) || path.includes('\\')) {
		return { ok: false, reason: 'control character or backslash' };
	}
	const segments = path.split('/').slice(1);
	// A single trailing slash is an empty last segment: SvelteKit redirects it away itself.
	const inner = segments.at(-1) === '' ? segments.slice(0, -1) : segments;
	if (inner.some((s) => s === '')) return { ok: false, reason: 'empty path segment (//)' };
	if (inner.some((s) => s === '.' || s === '..')) return { ok: false, reason: 'dot segment' };
	return { ok: true, path };
}

/**
 * A best-effort reading of a refused path, only to choose the format of the refusal (JSON for
 * what looks like the API): escapes decoded repeatedly, backslashes and repeated slashes folded.
 */
export function lenientPath(raw: string): string {
	let path = raw;
	for (let round = 0; round < 4 && /%[0-9a-fA-F]{2}/.test(path); round++) {
		path = path.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) =>
			String.fromCharCode(parseInt(hex, 16))
		);
	}
	return path.replace(/[\\/]+/g, '/').toLowerCase();
}
