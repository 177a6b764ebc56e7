/**
 * Self-signed certificates: refused by default, accepted only when the connector opts out of
 * certificate verification.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
	testConnection,
	ConnectorFieldError
} from '../../src/lib/server/services/connectors/connector-service';

let server: ReturnType<typeof Bun.serve> | undefined;
let dir = '';

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
});
