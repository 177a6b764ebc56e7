/**
 * Route enumeration (issue 7, item 12): every route of the app — pages, their form actions, API
 * endpoints — is listed from `src/routes` by the test itself (tests/helpers/route-tree.ts) and
 * requested without credentials, with every method and with the path spellings a guard that
 * matched raw strings would miss. Everything but the explicit public list must refuse:
 * 401 (API), 303 (pages, to /login), 405 (a method the route does not have), or 400 for a
 * spelling the guard refuses as ambiguous. Nothing may answer 2xx or crash with a 5xx.
 *
 * Requests go through `node:http` so the path reaches the server byte for byte (fetch would
 * normalise `/./` and `..` before sending).
 */
import { expect, test } from '@playwright/test';
import { HTTP_METHODS, listRoutes, type HttpMethod } from '../helpers/route-tree';
import { APP } from './helpers';
import { rawRequest, type RawAnswer } from './raw-http';

/** The only routes anyone may use without logging in. */
const PUBLIC = new Set(['/login', '/setup', '/health']);

type Answer = RawAnswer;

function send(method: HttpMethod, rawPath: string, headers: Record<string, string> = {}) {
	return rawRequest(method, rawPath, { headers });
}

function isLoginRedirectData(answer: Answer): boolean {
	if (answer.status !== 200) return false;
	try {
		const body = JSON.parse(answer.body) as { type?: string; location?: string };
		return body.type === 'redirect' && /^\/(login|setup)\b/.test(body.location ?? '');
	} catch {
		return false;
	}
}

/** Spellings of one path that a raw-string guard would not recognise as that path. */
function spellings(path: string): { label: string; path: string; canonical: boolean }[] {
	const [first = '', ...rest] = path.slice(1).split('/');
	const tail = rest.length ? `/${rest.join('/')}` : '';
	const out = [{ label: 'as is', path, canonical: true }];
	if (first) {
		const encoded = `%${first.charCodeAt(0).toString(16)}${first.slice(1)}`;
		out.push(
			{ label: 'first letter percent-encoded', path: `/${encoded}${tail}`, canonical: true },
			{ label: 'upper case', path: `/${first.toUpperCase()}${tail}`, canonical: false },
			{ label: 'double slash', path: `//${first}${tail}`, canonical: false },
			{ label: 'dot segment', path: `/./${first}${tail}`, canonical: false },
			{ label: 'dot-dot segment', path: `/zz/../${first}${tail}`, canonical: false },
			{ label: 'trailing slash', path: `${path}/`, canonical: false },
			{
				label: 'encoded slashes',
				path: `/${path.slice(1).replaceAll('/', '%2F')}`,
				canonical: false
			}
		);
	}
	return out;
}

const routes = listRoutes();

test('the route tree lists the pages, actions and endpoints we know exist', () => {
	const byPath = new Map(routes.map((r) => [`${r.kind} ${r.path}`, r]));
	// A sanity floor: if these vanish, the listing broke, not the app.
	expect(byPath.get('page /login')?.actions).toContain('default');
	expect(byPath.get('endpoint /api/v1/connectors')?.methods).toEqual(
		expect.arrayContaining(['GET', 'POST'])
	);
	expect(byPath.get('endpoint /health')?.methods).toContain('GET');
	// Reachable without a session (the *arr apps post there), so refused below without its secret.
	expect(byPath.get('endpoint /webhooks/1')?.methods).toEqual(['POST', 'PUT']);
	// Item actions and priority overrides (issue 9 §3, §10).
	expect(byPath.get('endpoint /api/v1/priority-overrides')?.methods).toEqual(
		expect.arrayContaining(['GET', 'PUT', 'DELETE'])
	);
	for (const kind of ['series', 'movies']) {
		expect(byPath.get(`endpoint /api/v1/${kind}`)?.methods).toContain('GET');
		expect(byPath.get(`endpoint /api/v1/${kind}/1`)?.methods).toContain('GET');
		for (const action of ['search', 'exhaust', 'clear-search-state']) {
			expect(byPath.get(`endpoint /api/v1/${kind}/1/${action}`)?.methods).toEqual(['POST']);
		}
		expect(byPath.get(`page /${kind}/1`)).toBeDefined();
	}
	expect(routes.length).toBeGreaterThan(15);
});

test('the webhook route, open to the *arr apps, refuses every request without its secret', async () => {
	for (const method of ['POST', 'PUT'] as const) {
		for (const path of ['/webhooks/1', '/%77ebhooks/1', '/webhooks/999999', '/webhooks/abc']) {
			const answer = await send(method, path, { 'content-type': 'application/json' });
			expect(answer.status, `${method} ${path}`).toBe(401);
			expect(JSON.parse(answer.body), `${method} ${path}`).toMatchObject({
				error: { code: 'webhooks.unauthorized' }
			});
		}
	}
});

test('every route refuses every method and spelling without credentials', async () => {
	test.setTimeout(180_000);
	const failures: string[] = [];
	let requests = 0;
	for (const route of routes) {
		const isPublic = PUBLIC.has(route.path);
		const targets: { method: HttpMethod; path: string; what: string }[] = [];
		for (const spelling of spellings(route.path)) {
			for (const method of HTTP_METHODS) {
				targets.push({ method, path: spelling.path, what: spelling.label });
			}
		}
		for (const action of route.actions) {
			const query = action === 'default' ? '' : `?/${action}`;
			targets.push({ method: 'POST', path: `${route.path}${query}`, what: `action ${action}` });
		}
		if (route.kind === 'page') {
			const data = route.path === '/' ? '/__data.json' : `${route.path}/__data.json`;
			targets.push({ method: 'GET', path: data, what: 'data request' });
		}
		const asIs = new Map<string, number>();
		for (const target of targets) {
			requests++;
			let answer: Answer;
			try {
				answer = await send(target.method, target.path, {
					origin: APP,
					'content-type': 'application/x-www-form-urlencoded'
				});
			} catch (error) {
				failures.push(`${target.method} ${target.path} (${target.what}): ${String(error)}`);
				continue;
			}
			const where = `${target.method} ${target.path} (${route.id}, ${target.what})`;
			if (target.what === 'as is') asIs.set(target.method, answer.status);
			if (answer.status >= 500) {
				failures.push(`${where}: ${answer.status}`);
				continue;
			}
			if (isPublic) continue;
			const toLogin = answer.status === 303 && /\/(login|setup)\b/.test(answer.location ?? '');
			const refused = answer.status === 401 || answer.status === 405 || toLogin;
			let ok: boolean;
			if (target.what === 'first letter percent-encoded') {
				// The decoded path is the route itself: it must get exactly what the plain path got.
				ok = refused && answer.status === asIs.get(target.method);
			} else if (target.what === 'data request') {
				// Client-side navigation speaks SvelteKit's data protocol: a refusal is a 200 whose
				// body is `{"type":"redirect","location":"/login…"}` (or a 401 for anything else).
				ok = refused || isLoginRedirectData(answer);
			} else if (target.what === 'as is' || target.what.startsWith('action')) {
				ok = refused;
			} else {
				// Other spellings may also be refused as ambiguous (400) or redirected to a
				// same-site path by SvelteKit's own normalisation (requested on its own above).
				const local =
					(answer.location ?? '').startsWith('/') && !(answer.location ?? '').startsWith('//');
				ok =
					refused ||
					answer.status === 400 ||
					((answer.status === 308 || answer.status === 301) && local);
			}
			if (!ok) failures.push(`${where}: ${answer.status} ${answer.location ?? ''}`.trim());
		}
	}
	expect(requests).toBeGreaterThan(500);
	expect(failures, failures.slice(0, 40).join('\n')).toEqual([]);
});
