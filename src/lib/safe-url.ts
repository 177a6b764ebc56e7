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
