/**
 * Self-signed certificates: refused by default, accepted only when the connector opts out of
 * certificate verification. And because requests go to the checked IP address (address-guard.ts),
 * the certificate must still be checked against the host name of the URL: a certificate for
 * another name is refused, and the API key is never sent over that connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
	testConnection,
	testStoredConnector,
	ConnectorFieldError
} from '../../src/lib/server/services/connectors/connector-service';
import { createSecretBox } from '../../src/lib/server/crypto/secrets';
import { ArrApiError, createClient } from '../../src/lib/server/connectors';
import type { Resolver } from '../../src/lib/server/connectors/common/address-guard';

let server: ReturnType<typeof Bun.serve> | undefined;
let dir = '';

/** A self-signed certificate for the DNS name `name` (PEM), which a test then trusts as its CA. */
function certificateFor(name: string): { cert: string; key: string } {
	const keyFile = path.join(dir, `${name}.key`);
	const certFile = path.join(dir, `${name}.pem`);
	execFileSync(
		'openssl',
		[
			'req',
			'-x509',
			'-newkey',
			'rsa:2048',
			'-nodes',
			'-days',
			'1',
			'-subj',
			`/CN=${name}`,
			'-addext',
			`subjectAltName=DNS:${name}`,
			'-keyout',
			keyFile,
			'-out',
			certFile
		],
		{ stdio: 'ignore' }
	);
	return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

interface Seen {
	host: string | null;
	apiKey: string | null;
}

/** An https Sonarr on 127.0.0.1 with `certificate`, recording what reaches it. */
function httpsSonarr(certificate: { cert: string; key: string }, seen: Seen[]) {
	return Bun.serve({
		hostname: '127.0.0.1',
		port: 0,
		tls: certificate,
		fetch(request) {
			seen.push({ host: request.headers.get('host'), apiKey: request.headers.get('x-api-key') });
			return Response.json({ appName: 'Sonarr', version: '4.0.19.2979' });
		}
	});
}

/** arr.test is 127.0.0.1 (the injected resolver stands in for DNS). */
const arrTest: Resolver = (hostname) =>
	hostname === 'arr.test' ? Promise.resolve(['127.0.0.1']) : Promise.reject(new Error('ENOTFOUND'));

beforeAll(() => {
	dir = mkdtempSync(path.join(os.tmpdir(), 'comradarr-tls-'));
	execFileSync(
		'openssl',
		[
			'req',
			'-x509',
			'-newkey',
			'rsa:2048',
			'-nodes',
			'-days',
			'1',
			'-subj',
			'/CN=127.0.0.1',
			'-addext',
			'subjectAltName=IP:127.0.0.1',
			'-keyout',
			path.join(dir, 'key.pem'),
			'-out',
			path.join(dir, 'cert.pem')
		],
		{ stdio: 'ignore' }
	);
	server = Bun.serve({
		hostname: '127.0.0.1',
		port: 0,
		tls: {
			cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
			key: readFileSync(path.join(dir, 'key.pem'), 'utf8')
		},
		fetch: (request) =>
			request.headers.get('x-api-key') === 'k'.repeat(32)
				? Response.json({ appName: 'Sonarr', version: '4.0.19.2979', instanceName: 'Sonarr' })
				: new Response(null, { status: 401 })
	});
});

afterAll(async () => {
	await server?.stop(true);
	rmSync(dir, { recursive: true, force: true });
});

describe('TLS verification', () => {
	it('refuses a self-signed certificate by default, naming the URL field', async () => {
		const attempt = testConnection({
			type: 'sonarr',
			url: `https://127.0.0.1:${server!.port}`,
			apiKey: 'k'.repeat(32)
		});
		await expect(attempt).rejects.toBeInstanceOf(ConnectorFieldError);
		await expect(attempt).rejects.toMatchObject({
			fields: { url: expect.stringMatching(/Could not reach/) }
		});
	});

	it('accepts it when the connector skips certificate verification', async () => {
		const status = await testConnection({
			type: 'sonarr',
			url: `https://127.0.0.1:${server!.port}`,
			apiKey: 'k'.repeat(32),
			skipTlsVerify: true
		});
		expect(status.version).toBe('4.0.19.2979');
	});

	it("tests a stored connector with its own TLS choice (the API's Test button)", async () => {
		const secrets = createSecretBox('tls test secret');
		const stored = {
			type: 'sonarr' as const,
			url: `https://127.0.0.1:${server!.port}`,
			apiKeyEncrypted: secrets.encrypt('k'.repeat(32)),
			timeoutMs: 5_000
		};
		await expect(
			testStoredConnector({ ...stored, skipTlsVerify: false }, secrets)
		).rejects.toBeInstanceOf(ConnectorFieldError);
		const status = await testStoredConnector({ ...stored, skipTlsVerify: true }, secrets);
		expect(status.version).toBe('4.0.19.2979');
	});
});

describe('TLS verification of a host name whose checked address is connected to', () => {
	const KEY = 'k'.repeat(32);

	it('verifies the certificate against the URL’s host name and sends it as Host', async () => {
		const certificate = certificateFor('arr.test');
		const seen: Seen[] = [];
		const named = httpsSonarr(certificate, seen);
		try {
			const client = createClient('sonarr', {
				baseUrl: `https://arr.test:${named.port}`,
				apiKey: KEY,
				resolver: arrTest,
				ca: certificate.cert,
				retries: 0
			});
			expect((await client.getSystemStatus()).version).toBe('4.0.19.2979');
			expect(seen).toEqual([{ host: `arr.test:${named.port}`, apiKey: KEY }]);
		} finally {
			await named.stop(true);
		}
	});

	it('refuses a trusted certificate for another name, and sends no request over it', async () => {
		const certificate = certificateFor('other.test');
		const seen: Seen[] = [];
		const impostor = httpsSonarr(certificate, seen);
		try {
			const client = createClient('sonarr', {
				baseUrl: `https://arr.test:${impostor.port}`,
				apiKey: KEY,
				resolver: arrTest,
				ca: certificate.cert,
				retries: 0
			});
			const error = await client.getSystemStatus().catch((e: unknown) => e);
			expect(error).toBeInstanceOf(ArrApiError);
			expect((error as ArrApiError).message).toMatch(
				/^Could not reach the app securely: the TLS certificate of arr\.test was refused \(ERR_TLS_CERT_ALTNAME_INVALID\)/
			);
			expect(seen).toEqual([]);
		} finally {
			await impostor.stop(true);
		}
	});

	it('accepts that certificate only when the connector skips verification', async () => {
		const certificate = certificateFor('other.test');
		const seen: Seen[] = [];
		const impostor = httpsSonarr(certificate, seen);
		try {
			const client = createClient('sonarr', {
				baseUrl: `https://arr.test:${impostor.port}`,
				apiKey: KEY,
				resolver: arrTest,
				skipTlsVerify: true,
				retries: 0
			});
			expect((await client.getSystemStatus()).appName).toBe('Sonarr');
			expect(seen).toHaveLength(1);
		} finally {
			await impostor.stop(true);
		}
	});
});
