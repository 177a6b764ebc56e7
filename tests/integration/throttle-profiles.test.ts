/**
 * Throttle profiles users can edit (issue 9, sections 4 and 11) against a real PostgreSQL and the
 * *arr simulator, through the route handlers of `/api/v1/throttle-profiles` and
 * `PATCH /api/v1/connectors/{id}`: every validation rule, presets read-only, a profile in use not
 * deletable, unique names, the single default, copies, today's usage per connector, and the
 * connector settings that go with them (throttleProfileId, pack minimum, download-queue limit, tag
 * filters, custom-format upgrades).
 */
import { describe, expect, it } from 'vitest';
import type { RequestEvent } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import { useTestRuntime } from '../helpers/runtime';
import { connectors, requestQueue, throttleProfiles } from '../../src/lib/server/db/schema';
import { profileFor } from '../../src/lib/server/services/queue/throttle';
import * as listRoute from '../../src/routes/api/v1/throttle-profiles/+server';
import * as itemRoute from '../../src/routes/api/v1/throttle-profiles/[id]/+server';
import * as connectorRoute from '../../src/routes/api/v1/connectors/[id]/+server';

const world = useWorld();
useTestRuntime(world);

type Handler = (event: RequestEvent) => Promise<Response> | Response;

async function call(
	handler: unknown,
	init: { method?: string; body?: unknown; id?: number | string } = {}
): Promise<{ status: number; body: Record<string, unknown> & { error?: ErrorBody } }> {
	const path =
		init.id === undefined ? '/api/v1/throttle-profiles' : `/api/v1/throttle-profiles/${init.id}`;
	const url = new URL(`http://comradarr.lan${path}`);
	const request = new Request(url, {
		method: init.method ?? 'GET',
		...(init.body !== undefined
			? { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } }
			: {})
	});
	const params = init.id === undefined ? {} : { id: String(init.id) };
	const event = { url, request, params, locals: {} } as unknown as RequestEvent;
	const response = await (handler as Handler)(event);
	const text = await response.text();
	return { status: response.status, body: text ? (JSON.parse(text) as never) : {} };
}

interface ErrorBody {
	code: string;
	message: string;
	fields?: Record<string, string>;
}
interface ProfileBody {
	id: number;
	name: string;
	isPreset: boolean;
	isDefault: boolean;
	commandsPerMinute: number;
	windowSeconds: number;
	batchSize: number;
	dailyBudget: number;
	maxInFlight: number;
	errorCooldownSeconds: number;
	backoffMultiplier: number;
	searchCooldownHours: number;
	activeWindows: { start: string; end: string }[];
	connectors: {
		id: number;
		name: string;
		searchesToday: number;
		dailyBudget: number;
		viaDefault: boolean;
	}[];
}

const VALID = { name: 'Night owl', commandsPerMinute: 3, batchSize: 8, dailyBudget: 300 };

const create = (body: unknown) => call(listRoute.POST, { method: 'POST', body });
const patch = (id: number, body: unknown) => call(itemRoute.PATCH, { method: 'PATCH', id, body });
const remove = (id: number) => call(itemRoute.DELETE, { method: 'DELETE', id });
const list = async () => (await call(listRoute.GET)).body as unknown as ProfileBody[];

async function preset(name: string): Promise<ProfileBody> {
	const found = (await list()).find((p) => p.name === name);
	if (!found) throw new Error(`no preset ${name}`);
	return found;
}

async function patchConnector(id: number, body: unknown) {
	const url = new URL(`http://comradarr.lan/api/v1/connectors/${id}`);
	const request = new Request(url, {
		method: 'PATCH',
		body: JSON.stringify(body),
		headers: { 'content-type': 'application/json' }
	});
	const event = { url, request, params: { id: String(id) }, locals: {} } as unknown as RequestEvent;
	const response = await (connectorRoute.PATCH as unknown as Handler)(event);
	return {
		status: response.status,
		body: (await response.json()) as Record<string, unknown> & { error?: ErrorBody }
	};
}

describe('listing', () => {
	it('lists the three presets, Moderate as the default, with their figures', async () => {
		const profiles = await list();
		expect(profiles.map((p) => [p.name, p.isPreset, p.isDefault])).toEqual([
			['Conservative', true, false],
			['Moderate', true, true],
			['Aggressive', true, false]
		]);
		expect(await preset('Moderate')).toMatchObject({
			commandsPerMinute: 5,
			windowSeconds: 60,
			batchSize: 10,
			dailyBudget: 500,
			maxInFlight: 2
		});
	});

	it('lists each profile with the connectors using it and their searches today / budget', async () => {
		const sonarr = await world.addConnector('/sonarr', 'Sonarr');
		const radarr = await world.addConnector('/radarr', 'Radarr');
		const own = (await create(VALID)).body as unknown as ProfileBody;
		expect((await patchConnector(radarr.id, { throttleProfileId: own.id })).status).toBe(200);
		const now = new Date();
		const yesterday = new Date(now.getTime() - 36 * 3600_000);
		const row = (searchCount: number, claimedAt: Date) => ({
			connectorId: radarr.id,
			command: 'MoviesSearch' as const,
			searchType: 'gap' as const,
			payload: { name: 'MoviesSearch', movieIds: [1] } as never,
			searchCount,
			priority: 1,
			label: 'test',
			status: 'completed' as const,
			claimedAt
		});
		await world.db.insert(requestQueue).values([row(4, now), row(3, now), row(50, yesterday)]);
		const profiles = await list();
		const mine = profiles.find((p) => p.id === own.id);
		expect(mine?.connectors).toEqual([
			{ id: radarr.id, name: 'Radarr', searchesToday: 7, dailyBudget: 300, viaDefault: false }
		]);
		// A connector without a profile of its own uses the default.
		expect(profiles.find((p) => p.name === 'Moderate')?.connectors).toEqual([
			{ id: sonarr.id, name: 'Sonarr', searchesToday: 0, dailyBudget: 500, viaDefault: true }
		]);
	});

	it('answers 404 throttle_profiles.not_found for an unknown or malformed id', async () => {
		for (const id of [9999, 'abc', '0', '1.5']) {
			const answer = await call(itemRoute.GET, { id });
			expect(answer.status, String(id)).toBe(404);
			expect(answer.body.error?.code).toBe('throttle_profiles.not_found');
		}
	});
});

describe('validation', () => {
	const cases: [string, Record<string, unknown>, string][] = [
		['name missing', { name: undefined }, 'name'],
		['name empty', { name: '   ' }, 'name'],
		['name too long', { name: 'x'.repeat(51) }, 'name'],
		['name with a control character', { name: 'a\u0000b' }, 'name'],
		['commandsPerMinute 0', { commandsPerMinute: 0 }, 'commandsPerMinute'],
		['commandsPerMinute 121', { commandsPerMinute: 121 }, 'commandsPerMinute'],
		['commandsPerMinute 1.5', { commandsPerMinute: 1.5 }, 'commandsPerMinute'],
		['commandsPerMinute a string', { commandsPerMinute: '5' }, 'commandsPerMinute'],
		['batchSize 0', { batchSize: 0 }, 'batchSize'],
		['batchSize 101', { batchSize: 101 }, 'batchSize'],
		['dailyBudget 0', { dailyBudget: 0 }, 'dailyBudget'],
		['dailyBudget 100001', { dailyBudget: 100_001 }, 'dailyBudget'],
		['maxInFlight 0', { maxInFlight: 0 }, 'maxInFlight'],
		['maxInFlight 4', { maxInFlight: 4 }, 'maxInFlight'],
		['errorCooldownSeconds -1', { errorCooldownSeconds: -1 }, 'errorCooldownSeconds'],
		['errorCooldownSeconds 86401', { errorCooldownSeconds: 86_401 }, 'errorCooldownSeconds'],
		['backoffMultiplier 0.9', { backoffMultiplier: 0.9 }, 'backoffMultiplier'],
		['backoffMultiplier 10.5', { backoffMultiplier: 10.5 }, 'backoffMultiplier'],
		['windowSeconds 9', { windowSeconds: 9 }, 'windowSeconds'],
		['searchCooldownHours 0', { searchCooldownHours: 0 }, 'searchCooldownHours'],
		['activeWindows not a list', { activeWindows: '01:00-07:00' }, 'activeWindows'],
		[
			'a window hour 24',
			{ activeWindows: [{ start: '24:00', end: '07:00' }] },
			'activeWindows.0.start'
		],
		[
			'a window without leading zero',
			{ activeWindows: [{ start: '1:00', end: '07:00' }] },
			'activeWindows.0.start'
		],
		[
			'a window minute 60',
			{ activeWindows: [{ start: '01:00', end: '07:60' }] },
			'activeWindows.0.end'
		],
		[
			'a window with seconds',
			{ activeWindows: [{ start: '01:00:00', end: '07:00' }] },
			'activeWindows.0.start'
		],
		[
			'a window whose start is its end',
			{ activeWindows: [{ start: '05:00', end: '05:00' }] },
			'activeWindows.0.end'
		],
		[
			'seven windows',
			{
				activeWindows: Array.from({ length: 7 }, (_, i) => ({
					start: `0${i}:00`,
					end: `0${i}:30`
				}))
			},
			'activeWindows'
		],
		['isDefault a string', { isDefault: 'yes' }, 'isDefault']
	];

	for (const [what, change, field] of cases) {
		it(`refuses ${what} with 400 on ${field}, writing nothing`, async () => {
			const answer = await create({ ...VALID, ...change });
			expect(answer.status).toBe(400);
			expect(answer.body.error?.code).toBe('validation.failed');
			expect(answer.body.error?.fields?.[field]).toBeTruthy();
			expect(await world.db.select().from(throttleProfiles)).toHaveLength(3);
		});
	}

	it('refuses the same rules on PATCH', async () => {
		const own = (await create(VALID)).body as unknown as ProfileBody;
		const answer = await patch(own.id, { maxInFlight: 4, batchSize: 0 });
		expect(answer.status).toBe(400);
		expect(Object.keys(answer.body.error?.fields ?? {}).sort()).toEqual([
			'batchSize',
			'maxInFlight'
		]);
		const [row] = await world.db
			.select()
			.from(throttleProfiles)
			.where(eq(throttleProfiles.id, own.id));
		expect(row?.maxItemsPerCommand).toBe(8);
	});

	it('accepts every limit at its bounds and an overnight window (end before start)', async () => {
		const low = await create({
			name: 'Low',
			commandsPerMinute: 1,
			batchSize: 1,
			dailyBudget: 1,
			maxInFlight: 1,
			errorCooldownSeconds: 0,
			backoffMultiplier: 1,
			activeWindows: [{ start: '22:00', end: '02:00' }]
		});
		expect(low.status).toBe(201);
		const high = await create({
			name: 'High',
			commandsPerMinute: 120,
			batchSize: 100,
			dailyBudget: 100_000,
			maxInFlight: 3,
			errorCooldownSeconds: 86_400,
			backoffMultiplier: 10,
			activeWindows: Array.from({ length: 6 }, (_, i) => ({ start: `0${i}:00`, end: `0${i}:30` }))
		});
		expect(high.status).toBe(201);
		const [row] = await world.db
			.select()
			.from(throttleProfiles)
			.where(eq(throttleProfiles.name, 'Low'));
		expect(row).toMatchObject({
			maxCommandsPerWindow: 1,
			windowSeconds: 60,
			maxItemsPerCommand: 1,
			dailySearchBudget: 1,
			searchCooldownHours: 24,
			activeWindows: [{ start: '22:00', end: '02:00' }]
		});
	});

	it('fills the optional figures with their defaults', async () => {
		const answer = await create(VALID);
		expect(answer.status).toBe(201);
		expect(answer.body).toMatchObject({
			...VALID,
			isPreset: false,
			isDefault: false,
			windowSeconds: 60,
			maxInFlight: 2,
			errorCooldownSeconds: 900,
			backoffMultiplier: 2,
			searchCooldownHours: 24,
			activeWindows: [],
			connectors: []
		});
	});
});

describe('rules', () => {
	it('keeps the presets read-only: PATCH and DELETE are 409 and say to copy', async () => {
		const moderate = await preset('Moderate');
		const changed = await patch(moderate.id, { batchSize: 20 });
		expect(changed.status).toBe(409);
		expect(changed.body.error?.code).toBe('throttle_profiles.preset_read_only');
		expect(changed.body.error?.message).toMatch(/copy it/);
		const renamed = await patch(moderate.id, { name: 'Mine' });
		expect(renamed.status).toBe(409);
		const conservative = await preset('Conservative');
		const deleted = await remove(conservative.id);
		expect(deleted.status).toBe(409);
		expect(deleted.body.error?.code).toBe('throttle_profiles.preset_read_only');
		expect((await preset('Moderate')).batchSize).toBe(10);
		expect(await world.db.select().from(throttleProfiles)).toHaveLength(3);
	});

	it('refuses to delete a profile a connector uses, naming the connector', async () => {
		const sonarr = await world.addConnector('/sonarr', 'Living room Sonarr');
		const own = (await create(VALID)).body as unknown as ProfileBody;
		await patchConnector(sonarr.id, { throttleProfileId: own.id });
		const refused = await remove(own.id);
		expect(refused.status).toBe(409);
		expect(refused.body.error?.code).toBe('throttle_profiles.in_use');
		expect(refused.body.error?.message).toContain('"Living room Sonarr"');
		expect((await world.connector(sonarr.id)).throttleProfileId).toBe(own.id);
		// Once the connector has another profile, it goes.
		await patchConnector(sonarr.id, { throttleProfileId: null });
		expect((await remove(own.id)).status).toBe(204);
		expect((await call(itemRoute.GET, { id: own.id })).status).toBe(404);
	});

	it('keeps names unique regardless of case, on create and on rename', async () => {
		expect((await create({ ...VALID, name: 'moderate' })).status).toBe(409);
		const own = (await create(VALID)).body as unknown as ProfileBody;
		const clash = await create({ ...VALID, name: 'NIGHT OWL' });
		expect(clash.status).toBe(409);
		expect(clash.body.error?.code).toBe('throttle_profiles.name_taken');
		expect(clash.body.error?.fields?.name).toMatch(/Night owl/);
		const other = (await create({ ...VALID, name: 'Other' })).body as unknown as ProfileBody;
		expect((await patch(other.id, { name: 'night Owl' })).status).toBe(409);
		// Renaming a profile to its own name in another case is no clash.
		expect((await patch(own.id, { name: 'NIGHT OWL' })).status).toBe(200);
	});

	it('switches the default in one step: the previous default stops being it', async () => {
		const own = (await create({ ...VALID, isDefault: true })).body as unknown as ProfileBody;
		expect(own.isDefault).toBe(true);
		let defaults = (await list()).filter((p) => p.isDefault).map((p) => p.name);
		expect(defaults).toEqual(['Night owl']);
		// A preset may become the default (the one change a preset takes).
		const aggressive = await preset('Aggressive');
		const made = await patch(aggressive.id, { isDefault: true });
		expect(made.status).toBe(200);
		defaults = (await list()).filter((p) => p.isDefault).map((p) => p.name);
		expect(defaults).toEqual(['Aggressive']);
		// The dispatcher's choice for a connector without its own follows.
		expect((await profileFor(world.db, { throttleProfileId: null })).name).toBe('Aggressive');
	});

	it('refuses to unset or delete the default: another profile must become it', async () => {
		const own = (await create({ ...VALID, isDefault: true })).body as unknown as ProfileBody;
		const unset = await patch(own.id, { isDefault: false });
		expect(unset.status).toBe(409);
		expect(unset.body.error?.code).toBe('throttle_profiles.default_required');
		const deleted = await remove(own.id);
		expect(deleted.status).toBe(409);
		expect(deleted.body.error?.code).toBe('throttle_profiles.default_required');
		expect((await list()).filter((p) => p.isDefault).map((p) => p.id)).toEqual([own.id]);
	});

	it('copies a profile with every figure under a new name, never as a preset or default', async () => {
		const source = (
			await create({
				...VALID,
				windowSeconds: 120,
				maxInFlight: 3,
				errorCooldownSeconds: 60,
				backoffMultiplier: 3.5,
				searchCooldownHours: 48,
				activeWindows: [{ start: '01:00', end: '07:00' }]
			})
		).body as unknown as ProfileBody;
		const copy = await create({ copyFrom: source.id, name: 'Night owl 2', batchSize: 4 });
		expect(copy.status).toBe(201);
		const { id: _id, name: _name, ...figures } = source;
		expect(copy.body).toMatchObject({
			...figures,
			name: 'Night owl 2',
			batchSize: 4,
			createdAt: expect.any(String)
		});
		const moderate = await preset('Moderate');
		const presetCopy = (await create({ copyFrom: moderate.id, name: 'My moderate' }))
			.body as unknown as ProfileBody;
		expect(presetCopy).toMatchObject({ isPreset: false, isDefault: false, batchSize: 10 });
		// The copy is editable.
		expect((await patch(presetCopy.id, { batchSize: 12 })).status).toBe(200);
	});

	it('refuses a copy without a new name, with a taken name or of an unknown profile', async () => {
		const moderate = await preset('Moderate');
		const unnamed = await create({ copyFrom: moderate.id });
		expect(unnamed.status).toBe(400);
		expect(unnamed.body.error?.fields?.name).toBeTruthy();
		expect((await create({ copyFrom: moderate.id, name: 'Moderate' })).status).toBe(409);
		const unknown = await create({ copyFrom: 9999, name: 'Ghost' });
		expect(unknown.status).toBe(404);
		expect(unknown.body.error?.fields?.copyFrom).toBeTruthy();
		expect(await world.db.select().from(throttleProfiles)).toHaveLength(3);
	});

	it('updates the figures of a user profile, mapping them to the stored columns', async () => {
		const own = (await create(VALID)).body as unknown as ProfileBody;
		const answer = await patch(own.id, {
			commandsPerMinute: 7,
			batchSize: 9,
			dailyBudget: 900,
			activeWindows: [{ start: '23:00', end: '06:00' }]
		});
		expect(answer.status).toBe(200);
		const [row] = await world.db
			.select()
			.from(throttleProfiles)
			.where(eq(throttleProfiles.id, own.id));
		expect(row).toMatchObject({
			maxCommandsPerWindow: 7,
			maxItemsPerCommand: 9,
			dailySearchBudget: 900,
			activeWindows: [{ start: '23:00', end: '06:00' }]
		});
	});
});

describe('connector settings', () => {
	it('assigns a throttle profile to a connector and back to the default (null)', async () => {
		const sonarr = await world.addConnector('/sonarr');
		const own = (await create(VALID)).body as unknown as ProfileBody;
		const assigned = await patchConnector(sonarr.id, { throttleProfileId: own.id });
		expect(assigned.status).toBe(200);
		expect(assigned.body.throttleProfileId).toBe(own.id);
		expect((await profileFor(world.db, await world.connector(sonarr.id))).name).toBe('Night owl');
		const reset = await patchConnector(sonarr.id, { throttleProfileId: null });
		expect(reset.body.throttleProfileId).toBeNull();
	});

	it('refuses an unknown throttleProfileId with 400 on fields.throttleProfileId', async () => {
		const sonarr = await world.addConnector('/sonarr');
		for (const id of [9999, 0, 'x']) {
			const answer = await patchConnector(sonarr.id, { throttleProfileId: id, name: 'Renamed' });
			expect(answer.status, String(id)).toBe(400);
			expect(answer.body.error?.fields?.throttleProfileId).toBeTruthy();
		}
		const row = await world.connector(sonarr.id);
		expect(row.throttleProfileId).toBeNull();
		expect(row.name).not.toBe('Renamed');
	});

	it('stores the pack minimum, the download-queue limit, the tag filters and CF upgrades', async () => {
		const sonarr = await world.addConnector('/sonarr');
		const answer = await patchConnector(sonarr.id, {
			seasonPackMinEpisodes: 4,
			downloadQueueLimit: 50,
			includeTagIds: [3, 1, 3],
			excludeTagIds: [2],
			customFormatUpgrades: true
		});
		expect(answer.status).toBe(200);
		expect(answer.body).toMatchObject({
			seasonPackMinEpisodes: 4,
			downloadQueueLimit: 50,
			includeTagIds: [1, 3],
			excludeTagIds: [2],
			customFormatUpgrades: true
		});
		const off = await patchConnector(sonarr.id, { downloadQueueLimit: null });
		expect(off.body.downloadQueueLimit).toBeNull();
		const [row] = await world.db.select().from(connectors).where(eq(connectors.id, sonarr.id));
		expect(row).toMatchObject({ downloadQueueLimit: null, includeTagIds: [1, 3] });
	});

	const refused: [string, Record<string, unknown>, string][] = [
		['seasonPackMinEpisodes 0', { seasonPackMinEpisodes: 0 }, 'seasonPackMinEpisodes'],
		['seasonPackMinEpisodes 51', { seasonPackMinEpisodes: 51 }, 'seasonPackMinEpisodes'],
		['downloadQueueLimit 0', { downloadQueueLimit: 0 }, 'downloadQueueLimit'],
		['downloadQueueLimit 10001', { downloadQueueLimit: 10_001 }, 'downloadQueueLimit'],
		['a tag id 0', { includeTagIds: [0] }, 'includeTagIds.0'],
		['tags not a list', { excludeTagIds: 3 }, 'excludeTagIds'],
		['customFormatUpgrades a string', { customFormatUpgrades: 'on' }, 'customFormatUpgrades'],
		[
			'a tag both included and excluded',
			{ includeTagIds: [1, 2], excludeTagIds: [2] },
			'excludeTagIds'
		]
	];
	for (const [what, body, field] of refused) {
		it(`refuses ${what} with 400 on ${field}`, async () => {
			const sonarr = await world.addConnector('/sonarr');
			const answer = await patchConnector(sonarr.id, body);
			expect(answer.status).toBe(400);
			expect(answer.body.error?.fields?.[field]).toBeTruthy();
			const row = await world.connector(sonarr.id);
			expect(row).toMatchObject({
				seasonPackMinEpisodes: 2,
				downloadQueueLimit: 20,
				includeTagIds: [],
				excludeTagIds: [],
				customFormatUpgrades: false
			});
		});
	}

	it('refuses an exclude that clashes with the stored include list', async () => {
		const sonarr = await world.addConnector('/sonarr');
		await patchConnector(sonarr.id, { includeTagIds: [5] });
		const answer = await patchConnector(sonarr.id, { excludeTagIds: [5] });
		expect(answer.status).toBe(400);
		expect(answer.body.error?.fields?.excludeTagIds).toMatch(/both included and excluded/);
	});
});
