/**
 * The connector HTTP client connects to the address the guard checked: a DNS answer that changes
 * after the check (DNS rebinding) cannot send a request, or its API key, anywhere else. Real HTTP
 * servers on two loopback addresses; only the resolver is the test's (DNS is not fetch).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient, ArrApiError } from '../../src/lib/server/connectors';
import type { Resolver } from '../../src/lib/server/connectors/common/address-guard';

const KEY = 'k'.repeat(32);

interface Seen {
	path: string;
	host: string | null;
	apiKey: string | null;
}

/** A Sonarr-shaped answerer on `hostname:port` that records every request it receives. */
function sonarrAt(hostname: string, port: number, seen: Seen[]) {
	return Bun.serve({
		hostname,
		port,
		fetch(request) {
			const url = new URL(request.url);
			seen.push({
				path: url.pathname,
				host: request.headers.get('host'),
				apiKey: request.headers.get('x-api-key')
			});
			if (url.pathname === '/ping') return Response.json({ status: 'OK' });
			if (url.pathname === '/api/v3/health') return Response.json([]);
			return Response.json({ appName: 'Sonarr', version: '4.0.19.2979' });
		}
	});
}

/** Answers `first` on the first call and `later` on every call after it, like a rebinding DNS. */
function rebindingResolver(first: string[], later: string[]): Resolver & { calls: number } {
	const resolver = Object.assign(
		() => {
			resolver.calls++;
			return Promise.resolve(resolver.calls === 1 ? first : later);
		},
		{ calls: 0 }
	);
	return resolver;
}

const checkedSeen: Seen[] = [];
const otherSeen: Seen[] = [];
let checked: ReturnType<typeof Bun.serve>;
let other: ReturnType<typeof Bun.serve>;
let port = 0;

beforeAll(() => {
	// Same port on two loopback addresses: only the address tells the two apart.
	other = sonarrAt('127.0.0.2', 0, otherSeen);
	port = other.port!;
	checked = sonarrAt('127.0.0.1', port, checkedSeen);
});

afterAll(async () => {
	await checked.stop(true);
	await other.stop(true);
});

beforeEach(() => {
	checkedSeen.length = 0;
	otherSeen.length = 0;
});

describe('connecting to the checked address', () => {
	it('sends every request to the address that was checked, even when DNS later answers another', async () => {
		const resolver = rebindingResolver(['127.0.0.1'], ['127.0.0.2']);
		const client = createClient('sonarr', {
			baseUrl: `http://sonarr.test:${port}`,
			apiKey: KEY,
			resolver,
			retries: 0
		});
		expect((await client.getSystemStatus()).appName).toBe('Sonarr');
		expect(await client.ping()).toBe(true);
		await client.getHealth();

		expect(checkedSeen.map((r) => r.path)).toEqual([
			'/api/v3/system/status',
			'/ping',
			'/api/v3/health'
		]);
		expect(otherSeen).toEqual([]);
		// The app still sees the name it was configured with.
		expect(new Set(checkedSeen.map((r) => r.host))).toEqual(new Set([`sonarr.test:${port}`]));
		expect(resolver.calls).toBe(1);
	});

	it('sends nothing anywhere when any answer is refused', async () => {
		const resolver = rebindingResolver(['127.0.0.1', '169.254.169.254'], ['127.0.0.1']);
		const client = createClient('sonarr', {
			baseUrl: `http://sonarr.test:${port}`,
			apiKey: KEY,
			resolver,
			retries: 0
		});
		const error = await client.getSystemStatus().catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ArrApiError);
		expect((error as ArrApiError).message).toMatch(
			/sonarr\.test resolves to 169\.254\.169\.254, a link-local address/
		);
		// A second request of the same client does not ask DNS again for a friendlier answer.
		await expect(client.ping()).rejects.toMatchObject({ kind: 'refused_address' });
		expect(resolver.calls).toBe(1);
		expect(checkedSeen).toEqual([]);
		expect(otherSeen).toEqual([]);
	});

	it('tries the next checked address when one refuses the connection', async () => {
		// ::1 first, as for "localhost" on many systems; the app listens on IPv4 only.
		const resolver = rebindingResolver(['::1', '127.0.0.1'], ['127.0.0.2']);
		const client = createClient('sonarr', {
			baseUrl: `http://sonarr.test:${port}`,
			apiKey: KEY,
			resolver,
			retries: 0
		});
		expect(await client.ping()).toBe(true);
		expect(await client.ping()).toBe(true);
		expect(checkedSeen).toHaveLength(2);
		expect(otherSeen).toEqual([]);
	});
});
