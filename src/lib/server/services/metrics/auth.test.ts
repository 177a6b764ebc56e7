import { describe, expect, it } from 'vitest';
import { authorizeScrape, tokensEqual } from './auth';
import type { MetricsTokenState } from './token';

const TOKEN = '0123456789abcdef0123';
const on: MetricsTokenState = { enabled: true, source: 'METRICS_TOKEN', token: TOKEN };
const off: MetricsTokenState = { enabled: false, reason: 'METRICS_TOKEN is not set.' };

describe('tokensEqual', () => {
	it('is true only for the same string', () => {
		expect(tokensEqual(TOKEN, TOKEN)).toBe(true);
		expect(tokensEqual(`${TOKEN}x`, TOKEN)).toBe(false);
		expect(tokensEqual(TOKEN.slice(1), TOKEN)).toBe(false);
		expect(tokensEqual(`1${TOKEN.slice(1)}`, TOKEN)).toBe(false);
		expect(tokensEqual('', TOKEN)).toBe(false);
	});
});

describe('authorizeScrape', () => {
	it('tells an anonymous caller nothing, on or off', () => {
		for (const state of [on, off]) {
			expect(authorizeScrape(state, { authorization: null, signedIn: false })).toMatchObject({
				allowed: false,
				status: 401
			});
		}
	});

	it('gives a caller with a made-up token the same 401 on or off, so it cannot tell', () => {
		const answers = [on, off].map((state) =>
			authorizeScrape(state, { authorization: `Bearer ${TOKEN}0`, signedIn: false })
		);
		expect(answers[0]).toMatchObject({ allowed: false, status: 401, code: 'metrics.unauthorized' });
		expect(answers[1]).toEqual(answers[0]);
	});

	it('is 404 for a signed-in user while off, without the reason', () => {
		for (const input of [
			{ authorization: `Bearer ${TOKEN}`, signedIn: true },
			{ authorization: null, signedIn: true }
		]) {
			const decision = authorizeScrape(off, input);
			expect(decision).toMatchObject({ allowed: false, status: 404, code: 'metrics.disabled' });
			expect(JSON.stringify(decision)).not.toContain('is not set.');
		}
	});

	it('lets in the bearer of the token (any case of "Bearer") and a signed-in user', () => {
		expect(authorizeScrape(on, { authorization: `Bearer ${TOKEN}`, signedIn: false })).toEqual({
			allowed: true,
			by: 'token'
		});
		expect(authorizeScrape(on, { authorization: `bearer  ${TOKEN} `, signedIn: false })).toEqual({
			allowed: true,
			by: 'token'
		});
		expect(authorizeScrape(on, { authorization: null, signedIn: true })).toEqual({
			allowed: true,
			by: 'user'
		});
	});

	it('refuses any other Authorization header, even with a session', () => {
		for (const authorization of [`Bearer ${TOKEN}0`, `Basic ${TOKEN}`, 'Bearer', TOKEN, '']) {
			expect(authorizeScrape(on, { authorization, signedIn: true }), authorization).toMatchObject({
				allowed: false,
				status: 401,
				code: 'metrics.unauthorized'
			});
		}
	});
});
