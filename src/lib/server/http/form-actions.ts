/**
 * Form-action names SvelteKit cannot answer cleanly, refused before the router sees them.
 *
 * SvelteKit 2.70 (`runtime/server/page/actions.js`, `call_action`) takes the action name from the
 * first query parameter that starts with `/` and then:
 * - for `?/default` throws a plain `Error('Cannot use reserved action name "default"')`, which
 *   becomes a 500 on every page with actions (`POST /setup?/default`, `/login?/default`…);
 * - looks the name up with `actions[name]` on the page's plain actions object, so
 *   `?/constructor`, `?/__proto__`, `?/hasOwnProperty`, `?/valueOf` find `Object.prototype`
 *   members (500: not an action, or a result it cannot serialise) and `?/toString` even "runs"
 *   (200).
 * Unknown names that are not prototype members already get SvelteKit's own 404; these get the
 * same answer here. The `handle` hook calls `refuseUnknownFormAction` before resolving (the guard,
 * src/lib/server/http/guard.ts).
 */
import { json } from '@sveltejs/kit';

/** The action name SvelteKit would run for this URL (`default` when none is named). */
export function formActionName(url: URL): string {
	for (const [key] of url.searchParams) {
		if (key.startsWith('/')) return key.slice(1);
	}
	return 'default';
}

/** Names SvelteKit turns into a 500 or a call of something that is not an action. */
function isRefusedName(name: string, named: boolean): boolean {
	if (!named) return false;
	return name === 'default' || name in Object.prototype;
}

/** SvelteKit's test for a form post that wants an ActionResult as JSON (`use:enhance`). */
function wantsJson(request: Request): boolean {
	const accept = request.headers.get('accept') ?? '*/*';
	const json = accept.indexOf('application/json');
	const html = accept.indexOf('text/html');
	return json !== -1 && (html === -1 || json < html);
}

/**
 * A 404 for a POST naming a form action SvelteKit cannot answer cleanly (`?/default`, or a member
 * of `Object.prototype` such as `?/constructor`), shaped like SvelteKit's own answer to an unknown
 * action: an ActionResult `{type: 'error', error: {message, code}}` for `use:enhance` posts, plain
 * text otherwise. Null for every other request.
 */
export function refuseUnknownFormAction(event: { request: Request; url: URL }): Response | null {
	if (event.request.method !== 'POST') return null;
	const named = [...event.url.searchParams.keys()].some((key) => key.startsWith('/'));
	const name = formActionName(event.url);
	if (!isRefusedName(name, named)) return null;
	const message = `No form action named "${name}" on this page`;
	if (wantsJson(event.request)) {
		return json({ type: 'error', error: { message, code: 'http.404' } }, { status: 404 });
	}
	return new Response(message, {
		status: 404,
		headers: { 'content-type': 'text/plain; charset=utf-8' }
	});
}
