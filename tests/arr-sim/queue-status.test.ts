/**
 * `GET /api/v3/queue/status`: the download-queue count the dispatcher's backpressure reads, as the
 * four specs describe QueueStatusResource, settable per instance (helper and control API).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from './index';
import { loadSpec, type SpecApp } from './spec-check';
import { call, getJson } from './test-helpers';

const INSTANCES: { type: SpecApp; urlBase: string; apiKey: string }[] = [
	{ type: 'sonarr', urlBase: '/sonarr', apiKey: '0123456789abcdef0123456789abcdef' },
	{ type: 'radarr', urlBase: '/radarr', apiKey: 'fedcba9876543210fedcba9876543210' },
	{ type: 'whisparr-v2', urlBase: '/whisparr', apiKey: 'abcdefabcdefabcdefabcdefabcdef01' },
	{ type: 'whisparr-v3', urlBase: '/whisparr3', apiKey: '1234512345123451234512345123451a' }
];

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator({
		instances: INSTANCES.map((i) => ({ ...i, series: 2, movies: 2 }))
	});
});
afterAll(async () => {
	await sim.stop();
});

describe('queue/status', () => {
	it.each(INSTANCES)('answers a QueueStatusResource for $type', async ({ type, urlBase }) => {
		const inst = sim.instance(urlBase);
		inst.reset();
		const spec = loadSpec(type);
		expect(spec?.hasOperation('GET', '/api/v3/queue/status')).toBe(true);
		const empty = await getJson(inst, '/api/v3/queue/status');
		expect(spec?.validate(empty, 'QueueStatusResource')).toEqual([]);
		expect(empty).toMatchObject({ totalCount: 0, count: 0, unknownCount: 0 });
		inst.setDownloadQueue(7, 2);
		expect(await getJson(inst, '/api/v3/queue/status')).toMatchObject({
			totalCount: 9,
			count: 7,
			unknownCount: 2
		});
		inst.reset();
		expect(await getJson(inst, '/api/v3/queue/status')).toMatchObject({ totalCount: 0 });
	});

	it('needs the API key like every other endpoint', async () => {
		const reply = await call(sim.instance('/sonarr'), '/api/v3/queue/status', { key: null });
		expect(reply.status).toBe(401);
	});

	it('is set through the control API, and refuses malformed input', async () => {
		const post = (body: unknown) =>
			fetch(`${sim.url}/__sim/queue-status`, { method: 'POST', body: JSON.stringify(body) });
		expect((await post({ urlBase: '/radarr', count: 25 })).status).toBe(200);
		expect(await getJson(sim.instance('/radarr'), '/api/v3/queue/status')).toMatchObject({
			totalCount: 25
		});
		expect((await post({ urlBase: '/radarr', count: -1 })).status).toBe(400);
		expect((await post({ urlBase: '/radarr', count: 1.5 })).status).toBe(400);
		expect((await post({ count: 1 })).status).toBe(400);
		expect((await post({ urlBase: '/nope', count: 1 })).status).toBe(404);
	});
});
