/**
 * BASE_URL: the value users may give, how it maps requests and redirects, and the forwarding
 * wrapper serving under it over real HTTP (a Bun.serve with a stand-in for the adapter).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiePath, parseBasePath, routeUnderBase, withBase } from './base-path';
import { parseTrustedProxies } from './client-address';
import { createForwardingFetch } from './forwarding';

describe('parseBasePath', () => {
	it('accepts the spellings users write and normalises them to /a/b', () => {
		for (const [value, base] of [
			[undefined, ''],
			['', ''],
			['/', ''],
			['/comradarr', '/comradarr'],
			['/comradarr/', '/comradarr'],
			['comradarr', '/comradarr'],
			['/media/comradarr//', '/media/comradarr'],
			['https://example.com/comradarr/', '/comradarr'],
			['http://nas.lan:8080/', '']
		] as const) {
			expect(parseBasePath(value), String(value)).toBe(base);
		}
	});

	it('refuses dot segments, escapes, queries and anything a URL would reinterpret', () => {
		for (const value of [
			'/../etc',
			'/./x',
			'/com%2Fradarr',
			'/comradarr?x=1',
			'/a b',
			'https://example.com/x?y',
			'/c\\d'
		]) {
			expect(() => parseBasePath(value), value).toThrow(/BASE_URL/);
		}
	});
});

describe('routing and redirects under a base path', () => {
	it('strips the prefix, sends the bare prefix to prefix/, and leaves everything else outside', () => {
		expect(routeUnderBase('/comradarr/login', '/comradarr')).toEqual({
			kind: 'app',
			path: '/login'
		});
		expect(routeUnderBase('/comradarr/', '/comradarr')).toEqual({ kind: 'app', path: '/' });
		expect(routeUnderBase('/comradarr', '/comradarr')).toEqual({
			kind: 'redirect',
			location: '/comradarr/'
		});
		for (const outside of ['/login', '/comradarrx/login', '/%63omradarr/login', '/']) {
			expect(routeUnderBase(outside, '/comradarr'), outside).toEqual({ kind: 'outside' });
		}
		expect(routeUnderBase('/login', '')).toEqual({ kind: 'app', path: '/login' });
	});

	it('prefixes app paths, and only app paths', () => {
		expect(withBase('/login?redirectTo=%2Fqueue', '/comradarr')).toBe(
			'/comradarr/login?redirectTo=%2Fqueue'
		);
		expect(withBase('/', '/comradarr')).toBe('/comradarr/');
		expect(withBase('/login', '')).toBe('/login');
		expect(withBase('//evil.example/x', '/comradarr')).toBe('//evil.example/x');
		expect(withBase('https://example.com/', '/comradarr')).toBe('https://example.com/');
		expect(cookiePath('/comradarr')).toBe('/comradarr');
		expect(cookiePath('')).toBe('/');
	});
});

describe('serving under BASE_URL over real HTTP', () => {
	let server: ReturnType<typeof Bun.serve>;
	beforeAll(() => {
		server = Bun.serve({
			hostname: '127.0.0.1',
			port: 0,
			fetch: createForwardingFetch({
				trustedProxies: parseTrustedProxies(''),
				protocolHeader: 'x-forwarded-proto',
				basePath: '/comradarr',
				handle: async (request, srv) =>
					Response.json({
						path: new URL(request.url).pathname + new URL(request.url).search,
						method: request.method,
						body: await request.text(),
						peer: srv.requestIP(request)?.address ?? null
					})
			})
		});
	});
	afterAll(async () => {
		await server.stop(true);
	});
	const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;

	it('hands the app its own path, with the method, the body and the socket peer', async () => {
		const res = await fetch(url('/comradarr/login?/default'), { method: 'POST', body: 'a=1' });
		expect(await res.json()).toEqual({
			path: '/login?/default',
			method: 'POST',
			body: 'a=1',
			peer: '127.0.0.1'
		});
	});

	it('redirects the bare prefix to prefix/ and answers 404 outside it', async () => {
		const bare = await fetch(url('/comradarr?x=1'), { redirect: 'manual' });
		expect(bare.status).toBe(308);
		expect(bare.headers.get('location')).toBe('/comradarr/?x=1');
		const outside = await fetch(url('/api/v1/connectors'));
		expect(outside.status).toBe(404);
		expect(await outside.text()).toContain('/comradarr/');
	});
});
