import { describe, expect, it } from 'vitest';
import { backoffDelay, buildUrl, describeBody, parseRetryAfter } from './http';

describe('http helpers', () => {
	it('repeats array query parameters', () => {
		expect(buildUrl('http://h/s', '/api/v3/episode', { episodeIds: [1, 2], x: undefined })).toBe(
			'http://h/s/api/v3/episode?episodeIds=1&episodeIds=2'
		);
	});
	it('uses full jitter within the capped exponential bound', () => {
		expect(backoffDelay(3, 500, 10_000, () => 0.999)).toBe(3996);
		expect(backoffDelay(10, 500, 10_000, () => 0.5)).toBe(5000);
		expect(backoffDelay(0, 500, 10_000, () => 0)).toBe(0);
	});
	it('reads Retry-After as seconds or an HTTP date', () => {
		expect(parseRetryAfter('7')).toBe(7000);
		expect(parseRetryAfter(new Date(61_000).toUTCString(), 1_000)).toBe(60_000);
		expect(parseRetryAfter('soon')).toBeUndefined();
		expect(parseRetryAfter(null)).toBeUndefined();
	});
});

describe('describeBody', () => {
	it('names the kind of an error body without quoting it', () => {
		const cases: [string, string | null, string][] = [
			['', null, 'an empty body'],
			['{"message":"secret text"}', 'application/json', 'a JSON error message'],
			['{"title":"secret text","status":400}', 'application/problem+json', 'a JSON error message'],
			[
				'[{"propertyName":"Name","errorMessage":"secret text"},{"errorMessage":"x"}]',
				'application/json',
				'a JSON list of 2 validation errors'
			],
			[
				'<!DOCTYPE html><title>secret text</title>',
				'text/html',
				'an HTML page (a proxy or another web app?)'
			],
			['secret text', 'text/plain; charset=utf-8', 'a text/plain body (11 bytes)']
		];
		for (const [body, type, expected] of cases) {
			expect(describeBody(body, type)).toBe(expected);
			expect(describeBody(body, type)).not.toContain('secret');
		}
	});
});
