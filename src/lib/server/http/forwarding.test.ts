/**
 * scripts/serve.ts's request rewriting over real HTTP: a Bun.serve with the same fetch wrapper in
 * front of a stand-in for the adapter that reports what the app would see. Clients connect from
 * chosen loopback addresses (127.0.0.2 is not trusted, 127.0.0.3 is).
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrustedProxies } from './client-address';
import { createForwardingFetch, forwardedHeaders, forwardedProtocol } from './forwarding';

interface Seen {
	peer: string | null;
	headers: Record<string, string>;
	body: string;
}

let server: ReturnType<typeof Bun.serve>;

beforeAll(() => {
	server = Bun.serve({
		hostname: '127.0.0.1',
		port: 0,
		fetch: createForwardingFetch({
			trustedProxies: parseTrustedProxies('127.0.0.3'),
			protocolHeader: 'x-forwarded-proto',
			proxyOnlyHeaders: ['x-original-host'],
			// What svelte-adapter-bun's getClientAddress() does: server.requestIP(request).
			handle: async (request, srv) =>
				Response.json({
					peer: srv.requestIP(request)?.address ?? null,
					headers: Object.fromEntries(request.headers),
					body: await request.text()
				} satisfies Seen)
		})
	});
});
afterAll(async () => {
	await server.stop(true);
});

function send(
	localAddress: string,
	headers: Record<string, string> = {},
	body?: string
): Promise<Seen> {
	return new Promise((resolve, reject) => {
		const request = http.request(
			{
				host: '127.0.0.1',
				port: server.port,
				method: body === undefined ? 'GET' : 'POST',
				path: '/login',
				headers,
				localAddress,
				agent: false
			},
			(response) => {
				let text = '';
				response.on('data', (chunk: Buffer) => (text += chunk.toString()));
				response.on('end', () => resolve(JSON.parse(text) as Seen));
			}
		);
		request.on('error', reject);
		if (body !== undefined) request.write(body);
		request.end();
	});
}

describe('the socket peer reaches the app', () => {
	it('answers requestIP for the rebuilt request with the real client address', async () => {
		expect((await send('127.0.0.2')).peer).toBe('127.0.0.2');
		expect((await send('127.0.0.4', { 'x-forwarded-proto': 'http' })).peer).toBe('127.0.0.4');
	});

	it('keeps the request body', async () => {
		expect((await send('127.0.0.2', { 'content-type': 'text/plain' }, 'user=a&pass=b')).body).toBe(
			'user=a&pass=b'
		);
	});
});

describe('forwarding headers', () => {
	const spoof = {
		'x-forwarded-for': '198.51.100.1',
		'x-forwarded-proto': 'https',
		'x-forwarded-host': 'evil.example',
		forwarded: 'for=198.51.100.1;proto=https',
		'x-real-ip': '198.51.100.1',
		'x-original-host': 'evil.example'
	};

	it('are removed from an untrusted peer, and the protocol is http', async () => {
		const seen = await send('127.0.0.2', spoof);
		expect(seen.headers['x-forwarded-proto']).toBe('http');
		for (const name of [
			'x-forwarded-for',
			'x-forwarded-host',
			'forwarded',
			'x-real-ip',
			'x-original-host'
		]) {
			expect(seen.headers[name], name).toBeUndefined();
		}
	});

	it('are kept from a trusted proxy, with its protocol', async () => {
		const seen = await send('127.0.0.3', spoof);
		expect(seen.headers).toMatchObject(spoof);
		expect((await send('127.0.0.3')).headers['x-forwarded-proto']).toBe('http');
	});

	it('take the first protocol of a list and refuse anything but http and https', () => {
		expect(forwardedProtocol('https, http')).toBe('https');
		expect(forwardedProtocol('HTTPS')).toBe('https');
		expect(forwardedProtocol('javascript')).toBe('http');
		expect(forwardedProtocol(null)).toBe('http');
		const headers = forwardedHeaders(new Headers({ 'x-forwarded-proto': 'gopher' }), {
			peerTrusted: true,
			protocolHeader: 'x-forwarded-proto'
		});
		expect(headers.get('x-forwarded-proto')).toBe('http');
	});
});
