/**
 * The JSON API v1 over real HTTP against the built server, the database and the simulator:
 * authentication, the Origin check for cookie sessions, validation errors with fields, the
 * connector lifecycle, sync / sweep / dispatch, and that no response carries an API key.
 */
import { expect, test, type APIRequestContext } from '@playwright/test';
import { APP, SIM, RADARR_KEY, logIn } from './helpers';

test.describe.configure({ mode: 'serial' });

const BASE = APP;
/** State-changing requests with a session cookie must carry the app's own Origin. */
const ORIGIN = { Origin: BASE };

interface ApiError {
	error: { code: string; message: string; fields?: Record<string, string> };
}

async function errorOf(response: Awaited<ReturnType<APIRequestContext['get']>>): Promise<ApiError> {
	return (await response.json()) as ApiError;
}

test('refuses requests without a session or an API key', async ({ playwright }) => {
	const anonymous = await playwright.request.newContext({ baseURL: BASE });
	const response = await anonymous.get('/api/v1/connectors');
	expect(response.status()).toBe(401);
	expect((await errorOf(response)).error.code).toBe('auth.required');
	const health = await anonymous.get('/health');
	expect(health.status()).toBe(200);
	expect(JSON.stringify(await health.json())).not.toContain(RADARR_KEY);
	await anonymous.dispose();
});

test('runs a connector through its whole life over the API', async ({ page }) => {
	await logIn(page);
	const api = page.request;
	const name = `API Radarr ${Date.now()}`;

	// A cookie session without the app's Origin cannot change anything.
	const noOrigin = await api.post('/api/v1/queue/dispatch');
	expect(noOrigin.status()).toBe(403);
	expect((await errorOf(noOrigin)).error.code).toBe('auth.bad_origin');

	// Validation: 400 with a message per field; a refused connection names its field; nothing saved.
	const before = (await (await api.get('/api/v1/connectors')).json()) as unknown[];
	const invalid = await api.post('/api/v1/connectors', {
		headers: ORIGIN,
		data: { type: 'lidarr', url: '' }
	});
	expect(invalid.status()).toBe(400);
	const invalidBody = await errorOf(invalid);
	expect(invalidBody.error.code).toBe('validation.failed');
	expect(Object.keys(invalidBody.error.fields ?? {})).toEqual(expect.arrayContaining(['type']));
	const wrongKey = await api.post('/api/v1/connectors', {
		headers: ORIGIN,
		data: { type: 'radarr', name, url: `${SIM}/radarr`, apiKey: 'f'.repeat(32) }
	});
	expect(wrongKey.status()).toBe(400);
	expect((await errorOf(wrongKey)).error.fields?.apiKey).toMatch(/refused the API key/);
	expect((await (await api.get('/api/v1/connectors')).json()) as unknown[]).toHaveLength(
		before.length
	);

	// Create: 201, the key never comes back, only its last four characters.
	const created = await api.post('/api/v1/connectors', {
		headers: ORIGIN,
		data: { type: 'radarr', name, url: `${SIM}/radarr`, apiKey: RADARR_KEY }
	});
	expect(created.status()).toBe(201);
	const createdText = await created.text();
	expect(createdText).not.toContain(RADARR_KEY);
	const connector = JSON.parse(createdText) as { id: number; apiKeyHint: string; version: string };
	expect(connector.apiKeyHint).toBe(RADARR_KEY.slice(-4));
	expect(connector.version).toMatch(/^\d+\./);

	// Sync, sweep, and the numbers on GET.
	// A sync is a background job: 202 at once, then followed to its end.
	const sync = await api.post(`/api/v1/connectors/${connector.id}/sync`, { headers: ORIGIN });
	expect(sync.status()).toBe(202);
	const { job } = (await sync.json()) as { job: { id: number; kind: string; state: string } };
	expect(job).toMatchObject({ kind: 'sync.full', connectorId: connector.id });
	await expect
		.poll(
			async () =>
				((await (await api.get(`/api/v1/jobs/${job.id}`)).json()) as { status: string }).status,
			{ timeout: 30_000 }
		)
		.toBe('success');
	const badSweep = await api.post(`/api/v1/connectors/${connector.id}/sweep`, {
		headers: ORIGIN,
		data: { type: 'everything' }
	});
	expect(badSweep.status()).toBe(400);
	const sweep = await api.post(`/api/v1/connectors/${connector.id}/sweep`, {
		headers: ORIGIN,
		data: { type: 'gaps' }
	});
	expect(sweep.status()).toBe(202);
	const sweepJob = ((await sweep.json()) as { job: { id: number; kind: string } }).job;
	expect(sweepJob.kind).toBe('sweep');
	await expect
		.poll(
			async () =>
				(
					(await (await api.get(`/api/v1/jobs/${sweepJob.id}`)).json()) as {
						result: { queuedBatches?: number } | null;
					}
				).result?.queuedBatches ?? 0,
			{ timeout: 30_000 }
		)
		.toBeGreaterThan(0);
	const one = (await (await api.get(`/api/v1/connectors/${connector.id}`)).json()) as {
		lastSyncAt: string | null;
		stats: { gaps: number; upgrades: number; queued: number; searchesToday: number };
	};
	expect(one.lastSyncAt).not.toBeNull();
	expect(one.stats.gaps).toBeGreaterThan(0);
	expect(one.stats.queued).toBeGreaterThan(0);

	// The queue, one dispatcher pass, the history.
	const queue = (
		(await (await api.get('/api/v1/queue')).json()) as {
			items: { connectorId: number; command: string }[];
		}
	).items;
	expect(queue.some((q) => q.connectorId === connector.id && q.command === 'MoviesSearch')).toBe(
		true
	);
	const dispatch = await api.post('/api/v1/queue/dispatch', { headers: ORIGIN });
	const passes = (
		(await dispatch.json()) as { connectors: { connectorId: number; dispatch: { sent: number } }[] }
	).connectors;
	expect(passes.find((p) => p.connectorId === connector.id)?.dispatch.sent).toBeGreaterThan(0);
	expect(
		Array.isArray(((await (await api.get('/api/v1/history')).json()) as { items: unknown }).items)
	).toBe(true);

	// Edit without the key, test, delete; then it is gone.
	const renamed = await api.patch(`/api/v1/connectors/${connector.id}`, {
		headers: ORIGIN,
		data: { name: `${name} (renamed)`, apiKey: '' }
	});
	expect(renamed.status()).toBe(200);
	expect(((await renamed.json()) as { name: string }).name).toBe(`${name} (renamed)`);
	const tested = await api.post(`/api/v1/connectors/${connector.id}/test`, { headers: ORIGIN });
	expect(((await tested.json()) as { ok: boolean }).ok).toBe(true);
	const all = await api.get('/api/v1/connectors');
	expect(await all.text()).not.toContain(RADARR_KEY);
	expect(
		(await api.delete(`/api/v1/connectors/${connector.id}`, { headers: ORIGIN })).status()
	).toBe(204);
	const gone = await api.get(`/api/v1/connectors/${connector.id}`);
	expect(gone.status()).toBe(404);
	expect((await errorOf(gone)).error.code).toBe('connectors.not_found');
});
