/**
 * `BASE_URL`: serving Comradarr under a sub-path behind a reverse proxy
 * (`https://host/comradarr/` → `BASE_URL=/comradarr`).
 *
 * How it works, without a build per sub-path: `scripts/serve.ts` (through `forwarding.ts`) strips
 * the prefix from every request before SvelteKit sees it, so the app routes as if it were at `/`.
 * Pages link with `resolve()` from `$app/paths`, which SvelteKit renders as *relative* links
 * (`paths.relative`, the default) and the browser resolves under the prefix; on the client the
 * base is taken from the page's own URL. What the server says in absolute form — redirects
 * (`withBase`) and the session cookie's `Path` — carries the prefix explicitly.
 *
 * Imported by `scripts/serve.ts` outside the SvelteKit build: no `$lib` imports here.
 */

/** One path segment of a base path: unreserved URL characters only (RFC 3986 §2.3). */
const SEGMENT = /^[A-Za-z0-9._~-]+$/;

/**
 * Normalises a `BASE_URL` value.
 * @param value `/comradarr`, `/comradarr/`, `comradarr`, or a full URL whose path is used
 *   (`https://example.com/comradarr/`); empty, unset or `/` mean "served at the root".
 * @returns `''` or a path that starts with `/` and does not end with one (`/comradarr`, `/a/b`).
 * @throws Error naming the value when it is not a plain path (dot segments, `%`, `?`, `#`, spaces).
 */
export function parseBasePath(value: string | undefined): string {
	const raw = value?.trim() ?? '';
	if (raw === '' || raw === '/') return '';
	let pathname = raw;
	if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
		let url: URL;
		try {
			url = new URL(raw);
		} catch {
			throw new Error(`BASE_URL "${raw}" is not a valid URL or path`);
		}
		if (url.search || url.hash) {
			throw new Error(`BASE_URL "${raw}" must not have a query or a fragment`);
		}
		pathname = url.pathname;
	}
	const segments = pathname.split('/').filter((s) => s !== '');
	if (segments.length === 0) return '';
	for (const segment of segments) {
		if (!SEGMENT.test(segment) || segment === '.' || segment === '..') {
			throw new Error(
				`BASE_URL "${raw}": "${segment}" is not allowed in a base path ` +
					'(use letters, digits and . _ ~ - only, e.g. /comradarr)'
			);
		}
	}
	return `/${segments.join('/')}`;
}

let cached: { raw: string | undefined; base: string } | undefined;

/**
 * `BASE_URL` from the environment, normalised (re-read when the variable changes).
 * @throws Error as `parseBasePath`.
 */
export function basePathFromEnv(env: Record<string, string | undefined> = process.env): string {
	const raw = env.BASE_URL;
	if (!cached || cached.raw !== raw) cached = { raw, base: parseBasePath(raw) };
	return cached.base;
}

/**
 * An app path as the browser must request it: `/login` → `/comradarr/login`. Paths that are not
 * app paths (`https://…`, `//host`, relative ones) come back unchanged.
 */
export function withBase(path: string, base: string = basePathFromEnv()): string {
	if (!base || !path.startsWith('/') || path.startsWith('//')) return path;
	return path === '/' ? `${base}/` : `${base}${path}`;
}

/** The session cookie's `Path`: the base path, or `/`. */
export function cookiePath(base: string = basePathFromEnv()): string {
	return base || '/';
}

/** Where a request for `pathname` (as it arrived, prefix included) goes. */
export type BaseRoute =
	{ kind: 'app'; path: string } | { kind: 'redirect'; location: string } | { kind: 'outside' };

/**
 * Maps an incoming pathname onto the app: `/comradarr/x` → app path `/x`; `/comradarr` itself →
 * a redirect to `/comradarr/` (so relative links resolve under the prefix); anything else is
 * outside the app. With no base, every path is the app's.
 * @param pathname the request's pathname exactly as sent (still percent-encoded)
 */
export function routeUnderBase(pathname: string, base: string): BaseRoute {
	if (!base) return { kind: 'app', path: pathname };
	if (pathname === base) return { kind: 'redirect', location: `${base}/` };
	if (pathname.startsWith(`${base}/`)) return { kind: 'app', path: pathname.slice(base.length) };
	return { kind: 'outside' };
}
