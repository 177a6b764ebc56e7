/**
 * Links whose address comes from outside (an *arr app's health warnings name a wiki page) are
 * rendered only when they are absolute http(s) URLs: `javascript:`, `data:` and every other scheme
 * would run or show something in our origin's tab. Used at the connector boundary (what is stored)
 * and again where the link is rendered (what was stored before).
 */

/** `raw` as a normalised absolute http:// or https:// URL, or null for anything else. */
export function httpUrlOrNull(raw: unknown): string | null {
	if (typeof raw !== 'string') return null;
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		return null;
	}
	return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

/**
 * Whether two absolute URLs share scheme, host and port (default ports count as written out:
 * `http://nas` and `http://nas:80` are the same). An unparsable URL shares nothing.
 */
export function sameOrigin(a: string, b: string): boolean {
	try {
		const first = new URL(a);
		const second = new URL(b);
		return (
			first.protocol === second.protocol &&
			first.hostname === second.hostname &&
			first.port === second.port
		);
	} catch {
		return false;
	}
}
