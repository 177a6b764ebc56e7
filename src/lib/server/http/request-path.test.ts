import { describe, expect, it } from 'vitest';
import { lenientPath, normaliseRequestPath } from './request-path';

describe('normaliseRequestPath', () => {
	it('decodes exactly as the SvelteKit router does: unreserved escapes, reserved ones kept', () => {
		expect(normaliseRequestPath('/%61pi/v1/queue')).toEqual({ ok: true, path: '/api/v1/queue' });
		expect(normaliseRequestPath('/%61%70%69')).toEqual({ ok: true, path: '/api' });
		expect(normaliseRequestPath('/series/caf%C3%A9')).toEqual({ ok: true, path: '/series/café' });
		// decodeURI leaves the reserved characters encoded: one segment, as the router sees it.
		expect(normaliseRequestPath('/search/a%3Fb%23c')).toEqual({
			ok: true,
			path: '/search/a%3Fb%23c'
		});
		expect(normaliseRequestPath('/')).toEqual({ ok: true, path: '/' });
		expect(normaliseRequestPath('/connectors/')).toEqual({ ok: true, path: '/connectors/' });
		expect(normaliseRequestPath('/login')).toEqual({ ok: true, path: '/login' });
	});

	it('refuses encodings that mean different things to different readers', () => {
		for (const [raw, reason] of [
			['/api%2Fv1/queue', /encoded \//],
			['/api%2fv1', /encoded \//],
			['/api%5Cv1', /encoded/],
			['/%2561pi', /double/],
			['/api/v1/queue%00', /control/],
			['/a%0d%0aSet-Cookie:x', /control/],
			['/a%7f', /control/],
			['/a%', /malformed/],
			['/a%4', /malformed/],
			['/a%zz', /malformed/],
			['/%ff', /UTF-8/],
			['/%c0%ae%c0%ae', /UTF-8/],
			['/%e2%82', /UTF-8/],
			['//api/v1', /empty/],
			['/api//v1', /empty/],
			['/api/./v1', /dot/],
			['/api/../login', /dot/],
			['/api/..', /dot/],
			['/a\\b', /backslash/],
			['api', /start/]
		] as const) {
			const result = normaliseRequestPath(raw);
			expect(result.ok, raw).toBe(false);
			if (!result.ok) expect(result.reason, raw).toMatch(reason);
		}
	});
});

describe('lenientPath', () => {
	it('reads a refused path well enough to tell API from page', () => {
		expect(lenientPath('/%2561pi/v1')).toBe('/api/v1');
		expect(lenientPath('/API%2Fv1')).toBe('/api/v1');
		expect(lenientPath('//api\\v1')).toBe('/api/v1');
		expect(lenientPath('/dashboard%2F..')).toBe('/dashboard/..');
	});
});
