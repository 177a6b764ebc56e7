/**
 * Paths in the browser and on the server when Comradarr runs under a `BASE_URL` sub-path
 * (src/lib/server/http/base-path.ts).
 *
 * On the server the app sees paths without the prefix (`/dashboard`), in the browser
 * `page.url.pathname` carries it (`/comradarr/dashboard`); `base` from `$app/paths` is then the
 * absolute prefix in the browser and a relative one (`.`, `..`) during server rendering. Compare
 * and match app paths only.
 */
import { base } from '$app/paths';

/**
 * The app path of a pathname: the `BASE_URL` prefix removed when the browser's URL carries it.
 * @example appPathname('/comradarr/connectors/3') → '/connectors/3' (in the browser, base `/comradarr`)
 */
export function appPathname(pathname: string, prefix: string = base): string {
	if (!prefix.startsWith('/')) return pathname;
	if (pathname === prefix) return '/';
	return pathname.startsWith(`${prefix}/`) ? pathname.slice(prefix.length) : pathname;
}

/**
 * The URL the browser must request for an app path that is not a page (API calls from client
 * code, downloads): the base prefix in front. During server rendering `base` is relative, which
 * the browser resolves against the page.
 * @example appUrl('/api/v1/jobs/7') → '/comradarr/api/v1/jobs/7' (in the browser, base `/comradarr`)
 */
export function appUrl(path: `/${string}`, prefix: string = base): string {
	return `${prefix}${path}`;
}
