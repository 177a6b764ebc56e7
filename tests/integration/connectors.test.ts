/**
 * Connector creation refusals and fault isolation against the simulator and a real PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import * as v from 'valibot';
import { RADARR_KEY, SONARR_KEY, useWorld } from '../helpers/world';
import { connectors, healthEvents, requestQueue } from '../../src/lib/server/db/schema';
import {
	ConnectorFieldError,
	createConnector,
	testConnection,
	testConnectorEdit,
	toView,
	updateConnector
} from '../../src/lib/server/services/connectors/connector-service';
import { startSimulator, type Simulator } from '../arr-sim';
import { checkAll, cycleAll, syncAll, sweepAll } from '../../src/lib/server/services/operations';
import { toResources } from '../../src/lib/server/api/v1';
import { freePort } from '../../src/lib/server/db/embedded';

const world = useWorld();

async function refused(body: Record<string, unknown>): Promise<Record<string, string>> {
	try {
		await createConnector(world.db, world.secrets, body);
	} catch (error) {
		expect(error).toBeInstanceOf(ConnectorFieldError);
		return (error as ConnectorFieldError).fields;
	}
	throw new Error('the connector was accepted');
}

async function connectorCount(): Promise<number> {
	const [row] = await world.db.select({ n: sql<number>`count(*)::int` }).from(connectors);
	return row?.n ?? 0;
}

describe('adding a connector', () => {
	it('refuses a wrong API key on the apiKey field and saves nothing', async () => {
		const fields = await refused({
			type: 'sonarr',
			name: 'TV',
			url: world.sim.instance('/sonarr').baseUrl,
			apiKey: 'f'.repeat(32)
		});
		expect(fields.apiKey).toMatch(/refused the API key/);
		expect(await connectorCount()).toBe(0);
	});

	it('refuses an unreachable host on the url field and saves nothing', async () => {
		const port = await freePort(); // nothing listens there
		const fields = await refused({
			type: 'radarr',
			name: 'Movies',
			url: `http://127.0.0.1:${port}`,
			apiKey: RADARR_KEY
		});
		expect(fields.url).toMatch(/Could not reach/);
		expect(await connectorCount()).toBe(0);
	});

	it('refuses a malformed URL before any request', async () => {
		const before = world.sim.requests.length;
		const fields = await refused({
			type: 'sonarr',
			name: 'TV',
			url: 'nas:8989',
			apiKey: SONARR_KEY
		});
		expect(fields.url).toBeTruthy();
		expect(world.sim.requests.length).toBe(before);
		expect(await connectorCount()).toBe(0);
	});

	it('refuses link-local and metadata addresses before sending anything', async () => {
		for (const url of [
			'http://169.254.169.254/latest',
			'http://0.0.0.0:8989',
			'http://[fe80::1]:8989'
		]) {
			const fields = await refused({ type: 'sonarr', name: 'Meta', url, apiKey: SONARR_KEY });
			expect(fields.url).toMatch(/not allowed/);
		}
		expect(await connectorCount()).toBe(0);
	});

	it('refuses an app whose appName does not match the chosen type', async () => {
		const fields = await refused({
			type: 'sonarr',
			name: 'TV',
			url: world.sim.instance('/radarr').baseUrl,
			apiKey: RADARR_KEY
		});
		expect(fields.type).toMatch(/Radarr, not Sonarr/);
		expect(await connectorCount()).toBe(0);
	});

	it('refuses control characters in the name, URL or key as invalid input, before any request', async () => {
		const before = world.sim.requests.length;
		const good = {
			type: 'sonarr',
			name: 'TV',
			url: world.sim.instance('/sonarr').baseUrl,
			apiKey: SONARR_KEY
		};
		for (const [field, value] of [
			['name', 'T\u0000V'],
			['url', `${good.url}/\u0000`],
			['apiKey', `${SONARR_KEY}\r\nX-Evil: 1`]
		] as const) {
			const error = await createConnector(world.db, world.secrets, {
				...good,
				[field]: value
			}).then(
				() => null,
				(e: unknown) => e
			);
			expect(v.isValiError(error), field).toBe(true);
			const issue = (error as v.ValiError<v.GenericSchema>).issues[0];
			expect(issue && v.getDotPath(issue)).toBe(field);
			expect(issue?.message).toMatch(/must not contain control characters/);
		}
		expect(world.sim.requests.length).toBe(before);
		expect(await connectorCount()).toBe(0);
	});

	it('refuses a duplicate name', async () => {
		await world.addConnector('/sonarr', 'Main');
		const fields = await refused({
			type: 'radarr',
			name: 'main',
			url: world.sim.instance('/radarr').baseUrl,
			apiKey: RADARR_KEY
		});
		expect(fields.name).toMatch(/already exists/);
	});

	it('stores the key encrypted, the detected version, and never returns the key', async () => {
		const connector = await world.addConnector('/sonarr');
		expect(connector.apiKeyEncrypted).not.toContain(SONARR_KEY);
		expect(world.secrets.decrypt(connector.apiKeyEncrypted)).toBe(SONARR_KEY);
		expect(connector.appVersion).toBe(world.sim.instance('/sonarr').options.version);
		const json = JSON.stringify([toView(connector), ...(await toResources(world.db, [connector]))]);
		expect(json).not.toContain(SONARR_KEY);
		expect(json).toContain(`"apiKeyHint":"${SONARR_KEY.slice(-4)}"`);
		// Requests carried the key in the header only.
		const status = world.sim.requests.find(
			(r) => r.path === '/api/v3/system/status' && r.status === 200
		);
		expect(status?.headers['x-api-key']).toBe(SONARR_KEY);
		expect(status?.query.apikey).toBeUndefined();
		expect(status?.headers['user-agent']).toMatch(/^Comradarr\//);
	});

	it('keeps the stored key when an edit leaves it empty', async () => {
		const connector = await world.addConnector('/sonarr');
		await updateConnector(world.db, world.secrets, connector.id, { name: 'Renamed', apiKey: '' });
		const [row] = await world.db.select().from(connectors).where(eq(connectors.id, connector.id));
		expect(row?.name).toBe('Renamed');
		expect(world.secrets.decrypt(row!.apiKeyEncrypted)).toBe(SONARR_KEY);
	});
});

describe('a stored API key and a changed URL', () => {
	/** Another Sonarr on another port: another origin, recording everything it receives. */
	const OTHER_KEY = 'a'.repeat(32);
	let other: Simulator;
	beforeAll(async () => {
		other = await startSimulator({
			instances: [{ type: 'sonarr', urlBase: '/sonarr', apiKey: OTHER_KEY, series: 2 }]
		});
	});
	afterAll(async () => {
		await other?.stop();
	});

	async function refusedUpdate(id: number, body: Record<string, unknown>) {
		const error = await updateConnector(world.db, world.secrets, id, body).then(
			() => null,
			(e: unknown) => e
		);
		expect(error).toBeInstanceOf(ConnectorFieldError);
		return error as ConnectorFieldError;
	}

	it('asks for the key again when an edit moves the URL to another host, and sends nothing', async () => {
		const connector = await world.addConnector('/sonarr');
		other.clearRequests();
		const newUrl = other.instance('/sonarr').baseUrl;
		const error = await refusedUpdate(connector.id, { url: newUrl });
		expect(error.code).toBe('validation.failed');
		expect(error.fields.apiKey).toMatch(/^Enter the API key again: the URL now points at/);
		// An empty key field is the same as none.
		expect((await refusedUpdate(connector.id, { url: newUrl, apiKey: '' })).fields.apiKey).toBe(
			error.fields.apiKey
		);
		expect(other.requests).toEqual([]);
		const row = await world.connector(connector.id);
		expect(row.url).toBe(connector.url);

		// With the key typed again, the move is tested and saved.
		const moved = await updateConnector(world.db, world.secrets, connector.id, {
			url: newUrl,
			apiKey: OTHER_KEY
		});
		expect(moved.url).toBe(newUrl);
		expect(other.requests.map((r) => r.headers['x-api-key'])).toEqual([OTHER_KEY]);
		expect(other.requests.some((r) => r.headers['x-api-key'] === SONARR_KEY)).toBe(false);
	});

	it('asks for the key again when only the scheme or the port changes', async () => {
		const connector = await world.addConnector('/sonarr');
		const current = new URL(connector.url);
		for (const url of [
			`https://${current.host}${current.pathname}`,
			`http://${current.hostname}:${Number(current.port) + 1}${current.pathname}`,
			`http://localhost:${current.port}${current.pathname}`
		]) {
			const error = await refusedUpdate(connector.id, { url });
			expect(error.fields.apiKey).toMatch(/Enter the API key again/);
		}
	});

	it('keeps the stored key for another URL base on the same host and port', async () => {
		const connector = await world.addConnector('/sonarr');
		world.sim.clearRequests();
		// Same origin, other URL base: the stored (Sonarr) key is sent there, and Radarr refuses it.
		const error = await refusedUpdate(connector.id, {
			type: 'radarr',
			url: world.sim.instance('/radarr').baseUrl
		});
		expect(error.fields.apiKey).toMatch(/refused the API key/);
		expect(world.sim.instance('/radarr').requests.map((r) => r.headers['x-api-key'])).toEqual([
			SONARR_KEY
		]);
	});

	it('tests a moved URL with an empty key field without sending the stored key', async () => {
		const connector = await world.addConnector('/sonarr');
		other.clearRequests();
		const input = { type: 'sonarr' as const, url: other.instance('/sonarr').baseUrl, apiKey: '' };
		const error = await testConnectorEdit(connector, world.secrets, input).then(
			() => null,
			(e: unknown) => e
		);
		expect(error).toBeInstanceOf(ConnectorFieldError);
		expect((error as ConnectorFieldError).fields.apiKey).toMatch(/Enter the API key again/);
		expect(other.requests).toEqual([]);
		// The same test on the stored origin uses the stored key.
		const status = await testConnectorEdit(connector, world.secrets, {
			...input,
			url: connector.url
		});
		expect(status.appName).toBe('Sonarr');
	});
});

describe('health warnings of the app', () => {
	it('stores a wiki link only when it is http(s)', async () => {
		const sonarr = await world.addConnector('/sonarr');
		world.sim.instance('/sonarr').setHealth([
			{ source: 'A', type: 'warning', message: 'kept', wikiUrl: 'https://wiki.servarr.com/x' },
			{ source: 'B', type: 'error', message: 'dropped', wikiUrl: 'javascript:alert(1)' }
		]);
		await checkAll({ db: world.db, secrets: world.secrets });
		const [row] = await world.db.select().from(connectors).where(eq(connectors.id, sonarr.id));
		expect(row?.appHealth.map((item) => [item.message, item.wikiUrl])).toEqual([
			['kept', 'https://wiki.servarr.com/x'],
			['dropped', null]
		]);
	});
});

describe('upstream error bodies', () => {
	const MARKER = 'UPSTREAM-BODY-7f3a';

	/** The field error of a connection test that must fail. */
	async function refusedTest(url: string): Promise<ConnectorFieldError> {
		const error = await testConnection({ type: 'sonarr', url, apiKey: SONARR_KEY }).then(
			() => null,
			(e: unknown) => e
		);
		expect(error).toBeInstanceOf(ConnectorFieldError);
		return error as ConnectorFieldError;
	}

	it('says what went wrong (status and kind of body), never what the body said', async () => {
		const sonarr = await world.addConnector('/sonarr');
		const instance = world.sim.instance('/sonarr');
		const deps = { db: world.db, secrets: world.secrets };

		instance.setFault('/api/v3/series', { status: 500, body: `{"message":"${MARKER}"}` });
		await syncAll(deps);
		const [failed] = await world.db.select().from(connectors).where(eq(connectors.id, sonarr.id));
		expect(failed?.healthReason).toMatch(/HTTP 500: the app failed .*a JSON error message/);
		expect(failed?.healthReason).not.toContain(MARKER);

		instance.setFault('/api/v3/system/status', {
			status: 400,
			body: `<!DOCTYPE html><p>${MARKER}</p>`,
			headers: { 'Content-Type': 'text/html' }
		});
		const refusedBadRequest = await refusedTest(instance.baseUrl);
		expect(refusedBadRequest.message).toMatch(/HTTP 400: the app refused it \(an HTML page/);

		instance.setFault('/api/v3/system/status', { status: 200, body: `${MARKER} is not JSON` });
		const unreadable = await refusedTest(instance.baseUrl);
		expect(unreadable.message).toMatch(/body that is not JSON/);

		for (const error of [refusedBadRequest, unreadable]) {
			expect(JSON.stringify({ message: error.message, fields: error.fields })).not.toContain(
				MARKER
			);
		}
	});
});

describe('fault isolation', () => {
	for (const [label, fault] of [
		['answering 500', { status: 500, body: '{"message":"database is locked"}' }],
		['returning malformed JSON', { status: 200, body: '{"id": 1, "title": ' }]
	] as const) {
		it(`marks a connector ${label} unhealthy while the other keeps working`, async () => {
			const sonarr = await world.addConnector('/sonarr');
			const radarr = await world.addConnector('/radarr');
			world.sim.instance('/sonarr').setFault('/api/v3/series', fault);
			const deps = { db: world.db, secrets: world.secrets };
			const reports = await syncAll(deps);
			expect(reports.find((r) => r?.connectorId === sonarr.id)?.status).toBe('failed');
			expect(reports.find((r) => r?.connectorId === radarr.id)?.status).toBe('success');

			const [broken] = await world.db.select().from(connectors).where(eq(connectors.id, sonarr.id));
			expect(broken?.health).toBe('unhealthy');
			expect(broken?.healthReason).toMatch(/Sync failed/);
			const events = await world.db
				.select()
				.from(healthEvents)
				.where(eq(healthEvents.connectorId, sonarr.id));
			expect(events.map((e) => e.toState)).toContain('unhealthy');

			const sweeps = await sweepAll(deps);
			expect(sweeps.find((s) => s?.connectorId === sonarr.id)?.skipped).toBe('paused');
			expect(sweeps.find((s) => s?.connectorId === radarr.id)?.queuedBatches).toBeGreaterThan(0);
			const cycles = await cycleAll(deps);
			expect(cycles.find((c) => c?.connectorId === radarr.id)?.dispatch.sent).toBeGreaterThan(0);
			expect(cycles.find((c) => c?.connectorId === sonarr.id)?.dispatch.stoppedBy).toBe('paused');
			const sent = await world.db
				.select()
				.from(requestQueue)
				.where(eq(requestQueue.connectorId, radarr.id));
			expect(sent.some((r) => r.status === 'sent' || r.status === 'completed')).toBe(true);

			// Health returns by itself once the app answers again.
			world.sim.instance('/sonarr').clearFaults();
			await syncAll(deps);
			const [healed] = await world.db.select().from(connectors).where(eq(connectors.id, sonarr.id));
			expect(healed?.health).toBe('healthy');
		});
	}
});
