/**
 * Connector URL validation: `http(s)://host[:port][/url-base]`, normalised without a trailing slash.
 * Pure (no server imports): the connector layer normalises with it before every request, and the
 * connector forms check the same shape in the browser (`$lib/schemas/connectors`). Which addresses
 * may be reached is decided on the server only (the address guard resolves the host).
 */

export type UrlCheck = { ok: true; url: string } | { ok: false; message: string };

/**
 * Normalises what a user typed as a connector URL. Accepts LAN and loopback hosts (that is where
 * *arr apps live); refuses other schemes, credentials in the URL, query strings and fragments.
 */
export function normaliseConnectorUrl(input: string): UrlCheck {
	const trimmed = input.trim();
	if (!trimmed) {
		return { ok: false, message: 'Enter the URL of the app, e.g. http://192.168.1.10:8989' };
	}
	let parsed: URL;
	try {
		parsed = new URL(trimmed);
	} catch {
		return { ok: false, message: 'Not a valid URL. Include the scheme, e.g. http://nas:8989' };
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		return { ok: false, message: 'The URL must start with http:// or https://' };
	}
	if (!parsed.hostname) return { ok: false, message: 'The URL has no host' };
	if (parsed.username || parsed.password) {
		return {
			ok: false,
			message: 'Leave credentials out of the URL; the API key goes in its own field'
		};
	}
	if (parsed.search || parsed.hash) {
		return { ok: false, message: 'Leave query strings and fragments out of the URL' };
	}
	const base = parsed.pathname.replace(/\/+$/, '');
	if (/\/api(\/|$)/i.test(base)) {
		return { ok: false, message: 'Give the app URL without /api (e.g. http://nas:8989/sonarr)' };
	}
	return { ok: true, url: `${parsed.protocol}//${parsed.host}${base}` };
}
