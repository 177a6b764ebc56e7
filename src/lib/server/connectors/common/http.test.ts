import { describe, expect, it } from 'vitest';
import { ArrHttpClient, backoffDelay, buildUrl, describeBody, parseRetryAfter } from './http';

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

describe('streamList', () => {
	/** A local server answering each path with a body sent in small chunks. */
	function serve(bodies: Record<string, string>) {
		return Bun.serve({
			port: 0,
			hostname: '127.0.0.1',
			fetch(req) {
				const body = bodies[new URL(req.url).pathname] ?? '';
				const bytes = new TextEncoder().encode(body);
				const stream = new ReadableStream<Uint8Array>({
					start(controller) {
						for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.subarray(i, i + 7));
						controller.close();
					}
				});
				return new Response(stream, { headers: { 'content-type': 'application/json' } });
			}
		});
	}
	const list = Array.from({ length: 25 }, (_, i) => ({ id: i + 1, title: `t"${i}é` }));

	it('yields the elements of a JSON array in batches, in order, whatever the chunking', async () => {
		const server = serve({ '/list': JSON.stringify(list), '/empty': ' [ ] ' });
		try {
			const client = new ArrHttpClient({ baseUrl: server.url.origin, apiKey: 'k', retries: 0 });
			const batches: unknown[][] = [];
			for await (const batch of client.streamList('/list', { batchSize: 10 })) batches.push(batch);
			expect(batches.flat()).toEqual(list);
			expect(batches.length).toBeGreaterThan(1);
			const empty: unknown[] = [];
			for await (const batch of client.streamList('/empty')) empty.push(...batch);
			expect(empty).toEqual([]);
			expect(client.requestCount).toBe(2);
		} finally {
			await server.stop(true);
		}
	});

	it('refuses a body that is not a JSON array or breaks off', async () => {
		const server = serve({ '/object': '{"id":1}', '/cut': '[{"id":1},{"id":', '/html': '<html>' });
		try {
			const client = new ArrHttpClient({ baseUrl: server.url.origin, apiKey: 'k', retries: 0 });
			for (const path of ['/object', '/cut', '/html']) {
				const read = async () => {
					for await (const batch of client.streamList(path)) void batch;
				};
				await expect(read(), path).rejects.toMatchObject({ kind: 'invalid_response' });
			}
		} finally {
			await server.stop(true);
		}
	});
});
