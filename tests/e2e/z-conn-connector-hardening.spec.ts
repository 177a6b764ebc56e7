/**
 * Attacks on the connector layer over real HTTP (issue 7, findings 4–6), against the built server,
 * the simulator and a second local HTTP server that records whatever reaches it:
 * - a stored API key never follows a changed URL to another host (API PATCH, "Test connection"
 *   and "Save" on the connector page with the key field empty);
 * - IPv4-mapped IPv6 in hex form does not reach the metadata address;
 * - an upstream error body is not echoed back;
 * - NUL bytes and JSON arrays are refused with 400 and a field message instead of a 500 / `{}`;
 * - form action names SvelteKit cannot answer (`?/default`, Object.prototype names) get a 404.
 *
 * Runs after the other specs on the same app (name order); logs in with `logIn()`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type APIResponse, type Page } from '@playwright/test';
import { APP, SIM, SONARR_KEY, logIn, openPage, toasts } from './helpers';

test.describe.configure({ mode: 'serial' });

const ORIGIN = { Origin: APP };

interface ApiErrorBody {
	error: { code: string; message: string; fields?: Record<string, string> };
}

/** Every request the second host received, with its headers. */
const received: { url: string; apiKey: string | undefined }[] = [];
let otherHost: http.Server;
let otherUrl = '';

test.beforeAll(async () => {
	otherHost = http.createServer((request, response) => {
		const key = request.headers['x-api-key'];
		received.push({ url: request.url ?? '', apiKey: Array.isArray(key) ? key[0] : key });
		response.writeHead(200, { 'content-type': 'application/json' });
		response.end(JSON.stringify({ appName: 'Sonarr', version: '4.0.19.2979' }));
	});
	await new Promise<void>((resolve) => otherHost.listen(0, '127.0.0.1', resolve));
	otherUrl = `http://127.0.0.1:${(otherHost.address() as AddressInfo).port}/sonarr`;
});

test.afterAll(async () => {
	await new Promise((resolve) => otherHost.close(resolve));
});

test.beforeEach(async ({ page }) => {
	received.length = 0;
	await logIn(page);
});

async function errorOf(response: APIResponse): Promise<ApiErrorBody['error']> {
	return ((await response.json()) as ApiErrorBody).error;
}

/** A Sonarr connector on the simulator, created over the API; returns its id. */
async function sonarrConnector(page: Page, name: string): Promise<number> {
	const created = await page.request.post('/api/v1/connectors', {
		headers: ORIGIN,
		data: { type: 'sonarr', name, url: `${SIM}/sonarr`, apiKey: SONARR_KEY }
	});
	expect(created.status()).toBe(201);
	return ((await created.json()) as { id: number }).id;
}

test('PATCH with only a new host asks for the API key again and sends nothing there', async ({
	page
}) => {
	const id = await sonarrConnector(page, `Key stays ${Date.now()}`);
	const moved = await page.request.patch(`/api/v1/connectors/${id}`, {
		headers: ORIGIN,
		data: { url: otherUrl }
	});
	expect(moved.status()).toBe(400);
	const error = await errorOf(moved);
	expect(error.code).toBe('validation.failed');
	expect(error.fields?.apiKey).toMatch(/^Enter the API key again/);
	expect(received).toEqual([]);
	const stored = (await (await page.request.get(`/api/v1/connectors/${id}`)).json()) as {
		url: string;
	};
	expect(stored.url).toBe(`${SIM}/sonarr`);

	// A new URL base on the same host and port keeps the key (the simulator answers 404 there,
	// which proves the request was sent with the stored key rather than refused up front).
	const rebased = await page.request.patch(`/api/v1/connectors/${id}`, {
		headers: ORIGIN,
		data: { url: `${SIM}/not-here` }
	});
	expect(rebased.status()).toBe(400);
	expect((await errorOf(rebased)).fields?.url).toMatch(/404/);

	expect(
		(await page.request.delete(`/api/v1/connectors/${id}`, { headers: ORIGIN })).status()
	).toBe(204);
});

test('the connector page asks for the key again when the URL moves to another host', async ({
	page
}) => {
	const id = await sonarrConnector(page, `Key stays (page) ${Date.now()}`);
	// A fill before hydration is lost (the URL watcher is not attached yet).
	await openPage(page, `/connectors/${id}`);
	const settings = page.getByRole('region', { name: 'Settings' });
	const apiKey = settings.getByLabel('API key', { exact: true });
	await settings.getByLabel('URL', { exact: true }).fill(otherUrl);
	await expect(settings.getByText('The URL points at another host now')).toBeVisible();
	await expect(apiKey).toHaveValue('');

	await settings.getByRole('button', { name: 'Test connection' }).click();
	await expect(settings.getByText(/^Enter the API key again: the URL now points at/)).toBeVisible();
	await expect(apiKey).toHaveAttribute('aria-invalid', 'true');
	await settings.getByRole('button', { name: 'Save changes' }).click();
	await expect(settings.getByText(/^Enter the API key again/)).toBeVisible();
	expect(received).toEqual([]);

	// Typing the other host's key makes the test go there, with that key only.
	await apiKey.fill('b'.repeat(32));
	await settings.getByRole('button', { name: 'Test connection' }).click();
	await expect(toasts(page).getByText(/^Connected to Sonarr/)).toBeVisible();
	expect(received.map((r) => r.apiKey)).toEqual(['b'.repeat(32)]);
	expect(received.some((r) => r.apiKey === SONARR_KEY)).toBe(false);

	await page.request.delete(`/api/v1/connectors/${id}`, { headers: ORIGIN });
});

test('IPv4-mapped IPv6 in hex form is refused as the link-local metadata address', async ({
	page
}) => {
	for (const url of ['http://[::ffff:169.254.169.254]/', 'http://[::ffff:a9fe:a9fe]:80']) {
		const response = await page.request.post('/api/v1/connectors', {
			headers: ORIGIN,
			data: { type: 'sonarr', name: `Metadata ${Date.now()}`, url, apiKey: SONARR_KEY }
		});
		expect(response.status()).toBe(400);
		expect((await errorOf(response)).fields?.url).toMatch(
			/not allowed: ::ffff:a9fe:a9fe is 169\.254\.169\.254, a link-local address/
		);
	}
});

test('an upstream error body is not echoed into the answer', async ({ page, request }) => {
	const id = await sonarrConnector(page, `Echo ${Date.now()}`);
	const marker = 'UPSTREAM-BODY-e2e-51c';
	const fault = await request.post(`${SIM}/__sim/fault`, {
		data: {
			urlBase: '/sonarr',
			pathPrefix: '/api/v3/system/status',
			fault: { status: 500, body: JSON.stringify({ message: marker }) }
		}
	});
	expect(fault.ok()).toBe(true);
	try {
		const tested = await page.request.post(`/api/v1/connectors/${id}/test`, { headers: ORIGIN });
		expect(tested.status()).toBe(400);
		const text = await tested.text();
		expect(text).not.toContain(marker);
		expect(text).toMatch(/HTTP 500/);
	} finally {
		await request.post(`${SIM}/__sim/faults/clear`);
		await page.request.delete(`/api/v1/connectors/${id}`, { headers: ORIGIN });
	}
});

test('a NUL byte or a JSON array is a 400 with a message, never a 500', async ({
	page,
	playwright
}) => {
	const nulName = await page.request.post('/api/v1/connectors', {
		headers: ORIGIN,
		data: { type: 'sonarr', name: 'TV\u0000', url: `${SIM}/sonarr`, apiKey: SONARR_KEY }
	});
	expect(nulName.status()).toBe(400);
	const nulError = await errorOf(nulName);
	expect(nulError.code).toBe('validation.failed');
	expect(nulError.fields?.name).toMatch(/must not contain control characters/);

	const id = await sonarrConnector(page, `Array body ${Date.now()}`);
	const array = await page.request.patch(`/api/v1/connectors/${id}`, {
		headers: { ...ORIGIN, 'content-type': 'application/json' },
		data: '[]'
	});
	expect(array.status()).toBe(400);
	expect(await errorOf(array)).toEqual({
		code: 'request.invalid_json',
		message: 'The request body must be a JSON object ({…}), not an array.',
		requestId: array.headers()['x-request-id']
	});
	await page.request.delete(`/api/v1/connectors/${id}`, { headers: ORIGIN });

	// The login form, without a session: the NUL never reaches PostgreSQL.
	const anonymous = await playwright.request.newContext({ baseURL: APP });
	try {
		const login = await anonymous.post('/login', {
			headers: { ...ORIGIN, accept: 'application/json' },
			form: { username: 'ad\u0000min', password: 'whatever' }
		});
		expect(login.status()).toBe(200);
		const result = (await login.json()) as { type: string; status: number; data: string };
		expect(result.type).toBe('failure');
		expect(result.status).toBe(400);
		expect(result.data).toContain('must not contain control characters');
	} finally {
		await anonymous.dispose();
	}
});

test('form action names SvelteKit cannot answer get a 404, never a 500 or a 200', async ({
	playwright
}) => {
	const anonymous = await playwright.request.newContext({ baseURL: APP });
	for (const name of ['default', 'constructor', '__proto__', 'toString', 'valueOf']) {
		const res = await anonymous.post(`/login?/${name}`, {
			headers: ORIGIN,
			form: { username: 'x', password: 'y' }
		});
		expect(res.status(), name).toBe(404);
	}
	// On a guarded page the anonymous caller learns nothing: the login redirect comes first.
	const guarded = await anonymous.post('/connectors?/constructor', {
		headers: ORIGIN,
		form: {},
		maxRedirects: 0
	});
	expect(guarded.status()).toBe(303);
	await anonymous.dispose();
});
