/**
 * Notification channel management (issue 10, Notifications §5, §7, §9 and API v1) against a real
 * PostgreSQL, through the route handlers of `/api/v1/notification-channels` and
 * `/api/v1/notification-deliveries`: validation per type, secrets write-only (stored encrypted,
 * never in any response, only "set or not"), keep-on-omit, a stored secret never following a
 * changed server, unique names, unknown connectors, 404s, and the delivery log's filters.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { RequestEvent } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import { useTestRuntime } from '../helpers/runtime';
import { startHttpReceiver } from '../helpers/receivers';
import { notificationChannels, notificationDeliveries } from '../../src/lib/server/db/schema';
import * as listRoute from '../../src/routes/api/v1/notification-channels/+server';
import * as itemRoute from '../../src/routes/api/v1/notification-channels/[id]/+server';
import * as testRoute from '../../src/routes/api/v1/notification-channels/[id]/test/+server';
import * as deliveriesRoute from '../../src/routes/api/v1/notification-deliveries/+server';

const world = useWorld();
useTestRuntime(world);

type Handler = (event: RequestEvent) => Promise<Response> | Response;

interface ErrorBody {
	code: string;
	message: string;
	fields?: Record<string, string>;
}
type Body = Record<string, unknown> & { error?: ErrorBody };

/** Every response text seen, to check no secret ever leaves. */
const seen: string[] = [];

async function call(
	handler: unknown,
	init: { method?: string; body?: unknown; rawBody?: string; path?: string; id?: number | string }
): Promise<{ status: number; body: Body }> {
	const path =
		init.path ??
		(init.id === undefined
			? '/api/v1/notification-channels'
			: `/api/v1/notification-channels/${init.id}`);
	const url = new URL(`http://comradarr.lan${path}`);
	const text = init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
	const request = new Request(url, {
		method: init.method ?? 'GET',
		...(text !== undefined ? { body: text, headers: { 'content-type': 'application/json' } } : {})
	});
	const params = init.id === undefined ? {} : { id: String(init.id) };
	const event = { url, request, params, locals: {} } as unknown as RequestEvent;
	const response = await (handler as Handler)(event);
	const out = await response.text();
	seen.push(out);
	return { status: response.status, body: out ? (JSON.parse(out) as Body) : {} };
}

const create = (body: unknown) => call(listRoute.POST, { method: 'POST', body });
const patch = (id: number, body: unknown) => call(itemRoute.PATCH, { method: 'PATCH', id, body });
const get = (id: number | string) => call(itemRoute.GET, { id });
const remove = (id: number | string) => call(itemRoute.DELETE, { method: 'DELETE', id });
const list = () => call(listRoute.GET, {});
const deliveries = (query = '') =>
	call(deliveriesRoute.GET, { path: `/api/v1/notification-deliveries${query}` });

const NTFY_TOKEN = 'tk_NtfySecretToken0001';
const NTFY = {
	type: 'ntfy',
	name: 'Phone',
	config: {
		serverUrl: 'https://ntfy.example.org',
		topic: 'comradarr-alerts',
		token: NTFY_TOKEN,
		priority: 4,
		tags: ['tv', 'comradarr']
	}
};
const SECRETS = {
	discord: 'https://discord.com/api/webhooks/123/DiscordSecretPart',
	telegram: '123456789:TelegramSecretTokenAbc',
	slack: 'https://hooks.slack.com/services/T000/B000/SlackSecretPart',
	pushoverUser: 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG',
	pushoverApp: 'azGDORePK8gMaC0QOYAMyEEuzJnyUi',
	gotify: 'GotifyAppTokenSecret',
	email: 'SmtpPasswordSecret',
	webhook: 'WebhookSigningSecret0123'
};
const OTHERS = [
	{ type: 'discord', name: 'Discord', config: { webhookUrl: SECRETS.discord } },
	{
		type: 'telegram',
		name: 'Telegram',
		config: { botToken: SECRETS.telegram, chatId: '-1001234567' }
	},
	{ type: 'slack', name: 'Slack', config: { webhookUrl: SECRETS.slack } },
	{
		type: 'pushover',
		name: 'Pushover',
		config: { userKey: SECRETS.pushoverUser, appToken: SECRETS.pushoverApp }
	},
	{
		type: 'gotify',
		name: 'Gotify',
		config: { serverUrl: 'http://gotify.lan:8080', appToken: SECRETS.gotify }
	},
	{
		type: 'email',
		name: 'Mail',
		config: {
			host: 'smtp.example.org',
			port: 587,
			secure: false,
			username: 'comradarr',
			password: SECRETS.email,
			from: 'comradarr@example.org',
			to: 'me@example.org, you@example.org'
		}
	},
	{
		type: 'webhook',
		name: 'Hook',
		config: { url: 'https://hooks.example.org/in', secret: SECRETS.webhook }
	}
];

function expectField(res: { status: number; body: Body }, field: string, pattern?: RegExp) {
	expect(res.status).toBe(400);
	expect(res.body.error?.code).toBe('validation.failed');
	expect(Object.keys(res.body.error?.fields ?? {})).toContain(field);
	if (pattern) expect(res.body.error?.fields?.[field]).toMatch(pattern);
}

describe('creating channels', () => {
	it('creates one channel of each type with the defaults, never answering a secret', async () => {
		const ntfy = await create(NTFY);
		expect(ntfy.status).toBe(201);
		expect(ntfy.body).toMatchObject({
			type: 'ntfy',
			name: 'Phone',
			enabled: true,
			config: {
				serverUrl: 'https://ntfy.example.org',
				topic: 'comradarr-alerts',
				priority: 4,
				tags: ['tv', 'comradarr']
			},
			secrets: { token: true, password: false },
			secretsReadable: true,
			events: ['*'],
			minSeverity: 'info',
			connectorIds: [],
			batchWindowSeconds: 300,
			quietHours: null,
			maxPerHour: null,
			templates: {},
			lastDelivery: null
		});
		expect(ntfy.body.config).not.toHaveProperty('token');
		for (const body of OTHERS) {
			const res = await create(body);
			expect(res.status, JSON.stringify(res.body)).toBe(201);
			expect(Object.values(res.body.secrets as Record<string, boolean>)).toContain(true);
		}
		const all = await list();
		expect((all.body as unknown as { name: string }[]).map((c) => c.name)).toEqual([
			'Discord',
			'Gotify',
			'Hook',
			'Mail',
			'Phone',
			'Pushover',
			'Slack',
			'Telegram'
		]);
		// The secrets are in the database only encrypted…
		const rows = await world.db.select().from(notificationChannels);
		const stored = JSON.stringify(rows);
		for (const secret of [NTFY_TOKEN, ...Object.values(SECRETS)]) {
			expect(stored).not.toContain(secret);
			// …and in no response at all.
			expect(seen.join('\n')).not.toContain(secret);
		}
		const phone = rows.find((r) => r.name === 'Phone')!;
		expect(JSON.parse(world.secrets.decrypt(phone.secretsEncrypted!))).toEqual({
			token: NTFY_TOKEN
		});
	});

	it('refuses what each type does not take, naming the field', async () => {
		const bad = (type: string, config: Record<string, unknown>) =>
			create({ type, name: `Bad ${type}`, config });
		expectField(
			await bad('ntfy', { serverUrl: 'ftp://ntfy.example.org', topic: 'a' }),
			'config.serverUrl',
			/http/
		);
		expectField(
			await bad('ntfy', { serverUrl: 'https://ntfy.sh', topic: 'has space' }),
			'config.topic'
		);
		expectField(
			await bad('ntfy', { serverUrl: 'https://ntfy.sh', topic: 'a', priority: 6 }),
			'config.priority',
			/at most 5/
		);
		expectField(
			await bad('ntfy', { serverUrl: 'https://ntfy.sh', topic: 'a', priority: 0 }),
			'config.priority',
			/at least 1/
		);
		expectField(
			await bad('ntfy', { serverUrl: 'https://ntfy.sh', topic: 'a', tags: 'tv' }),
			'config.tags'
		);
		expectField(
			await bad('ntfy', { serverUrl: 'https://ntfy.sh', topic: 'a', username: 'me' }),
			'config.password',
			/needs its password/
		);
		expectField(await bad('discord', { webhookUrl: '' }), 'config.webhookUrl', /required/);
		expectField(await bad('discord', {}), 'config.webhookUrl', /required/);
		expectField(
			await bad('discord', { webhookUrl: 'javascript:alert(1)' }),
			'config.webhookUrl',
			/http/
		);
		expectField(
			await bad('telegram', { botToken: SECRETS.telegram, chatId: 'not a chat' }),
			'config.chatId'
		);
		expectField(await bad('telegram', { chatId: '42' }), 'config.botToken', /required/);
		expectField(await bad('slack', { webhookUrl: 'hooks.slack.com' }), 'config.webhookUrl');
		expectField(
			await bad('pushover', { userKey: 'short', appToken: SECRETS.pushoverApp }),
			'config.userKey',
			/30/
		);
		expectField(await bad('gotify', { serverUrl: 'http://g.lan' }), 'config.appToken');
		const mail = OTHERS.find((o) => o.type === 'email')!.config;
		expectField(await bad('email', { ...mail, port: 70000 }), 'config.port', /65535/);
		expectField(await bad('email', { ...mail, port: 0 }), 'config.port');
		expectField(await bad('email', { ...mail, from: 'nobody' }), 'config.from');
		expectField(await bad('email', { ...mail, to: 'a@b.org, nope' }), 'config.to');
		expectField(await bad('email', { ...mail, host: 'smtp://x.org' }), 'config.host');
		expectField(await bad('email', { ...mail, secure: 'yes' }), 'config.secure');
		expectField(
			await bad('webhook', { url: 'https://h.example.org', secret: 'short' }),
			'config.secret',
			/at least 16/
		);
		expectField(await create({ ...NTFY, type: 'matrix' }), 'type');
		expect(await world.db.select().from(notificationChannels)).toEqual([]);
	});

	it('refuses bad routing fields, naming the field', async () => {
		const bad = (extra: Record<string, unknown>) => create({ ...NTFY, ...extra });
		expectField(await bad({ name: '  ' }), 'name', /required/);
		expectField(await bad({ name: 'x'.repeat(101) }), 'name');
		expectField(await bad({ events: ['item.acquired', 'item.eaten'] }), 'events.1');
		expectField(await bad({ events: [] }), 'events', /at least one/);
		expectField(await bad({ minSeverity: 'fatal' }), 'minSeverity');
		expectField(await bad({ batchWindowSeconds: 3601 }), 'batchWindowSeconds', /3600/);
		expectField(await bad({ batchWindowSeconds: -1 }), 'batchWindowSeconds');
		expectField(await bad({ maxPerHour: 0 }), 'maxPerHour', /at least 1/);
		expectField(await bad({ maxPerHour: 1001 }), 'maxPerHour', /1000/);
		expectField(
			await bad({ quietHours: { start: '25:00', end: '07:00', timezone: 'UTC' } }),
			'quietHours.start'
		);
		expectField(
			await bad({ quietHours: { start: '22:00', end: '07:00', timezone: 'Mars/Olympus' } }),
			'quietHours.timezone',
			/IANA/
		);
		expectField(
			await bad({ quietHours: { start: '22:00', end: '22:00', timezone: 'UTC' } }),
			'quietHours.end'
		);
		expectField(await bad({ templates: { body: 'x'.repeat(2001) } }), 'templates.body', /2,000/);
		expectField(await bad({ connectorIds: [999] }), 'connectorIds', /no connector 999/);
		const raw = await call(listRoute.POST, { method: 'POST', rawBody: '{"type":' });
		expect(raw.status).toBe(400);
		expect(raw.body.error?.code).toBe('request.invalid_json');
		expect(await world.db.select().from(notificationChannels)).toEqual([]);
	});

	it('keeps the routing fields it is given, "*" standing for all events', async () => {
		const connector = await world.addConnector('/sonarr');
		const res = await create({
			...NTFY,
			enabled: false,
			events: ['item.acquired', 'sync.failed', 'item.acquired'],
			minSeverity: 'warning',
			connectorIds: [connector.id],
			batchWindowSeconds: 0,
			quietHours: { start: '22:00', end: '07:00', timezone: 'Europe/Berlin' },
			maxPerHour: 12,
			templates: { title: '{content_title} ({content_year})', body: '' }
		});
		expect(res.status).toBe(201);
		expect(res.body).toMatchObject({
			enabled: false,
			events: ['item.acquired', 'sync.failed'],
			minSeverity: 'warning',
			connectorIds: [connector.id],
			batchWindowSeconds: 0,
			quietHours: {
				start: '22:00',
				end: '07:00',
				timezone: 'Europe/Berlin',
				errorsPassThrough: true
			},
			maxPerHour: 12,
			templates: { title: '{content_title} ({content_year})' }
		});
		const all = await create({ ...NTFY, name: 'All', events: ['sync.failed', '*'] });
		expect(all.body.events).toEqual(['*']);
	});

	it('refuses a name taken in any case with 409', async () => {
		expect((await create(NTFY)).status).toBe(201);
		const res = await create({ ...NTFY, name: 'PHONE' });
		expect(res.status).toBe(409);
		expect(res.body.error?.code).toBe('notification_channels.name_taken');
		expect(res.body.error?.fields?.name).toMatch(/"Phone" already exists/);
	});
});

describe('updating channels', () => {
	async function phone(): Promise<number> {
		const res = await create(NTFY);
		return res.body.id as number;
	}
	async function storedSecrets(id: number): Promise<Record<string, string>> {
		const [row] = await world.db
			.select()
			.from(notificationChannels)
			.where(eq(notificationChannels.id, id));
		return row!.secretsEncrypted
			? (JSON.parse(world.secrets.decrypt(row!.secretsEncrypted)) as Record<string, string>)
			: {};
	}

	it('keeps a stored secret when the edit omits it or sends ""', async () => {
		const id = await phone();
		let res = await patch(id, { config: { topic: 'renamed' } });
		expect(res.status).toBe(200);
		expect(res.body.config).toMatchObject({
			topic: 'renamed',
			serverUrl: 'https://ntfy.example.org'
		});
		expect(res.body.secrets).toEqual({ token: true, password: false });
		res = await patch(id, { config: { token: '', priority: 2 } });
		expect(res.status).toBe(200);
		expect(await storedSecrets(id)).toEqual({ token: NTFY_TOKEN });
		// Another token replaces it; null removes an optional one.
		expect((await patch(id, { config: { token: 'tk_another_one' } })).status).toBe(200);
		expect(await storedSecrets(id)).toEqual({ token: 'tk_another_one' });
		res = await patch(id, { config: { token: null } });
		expect(res.body.secrets).toEqual({ token: false, password: false });
		expect(await storedSecrets(id)).toEqual({});
		expect(seen.join('\n')).not.toContain('tk_another_one');
		expect(seen.join('\n')).not.toContain(NTFY_TOKEN);
	});

	it('refuses to send a stored token to a changed server unless it is entered again', async () => {
		const id = await phone();
		let res = await patch(id, { config: { serverUrl: 'https://evil.example.net' } });
		expectField(res, 'config.token', /Enter the access token again.*evil\.example\.net/);
		expect((await get(id)).body.config).toMatchObject({ serverUrl: 'https://ntfy.example.org' });
		// Another port is another server too; a changed path on the same origin is not.
		res = await patch(id, { config: { serverUrl: 'https://ntfy.example.org:8443' } });
		expectField(res, 'config.token');
		res = await patch(id, { config: { serverUrl: 'https://ntfy.example.org/sub/' } });
		expect(res.status).toBe(200);
		// With the token typed again, the move is fine.
		res = await patch(id, {
			config: { serverUrl: 'https://other.example.net', token: 'tk_for_the_other' }
		});
		expect(res.status).toBe(200);
		expect(await storedSecrets(id)).toEqual({ token: 'tk_for_the_other' });

		const gotify = await create(OTHERS.find((o) => o.type === 'gotify'));
		res = await patch(gotify.body.id as number, { config: { serverUrl: 'http://10.0.0.9:8080' } });
		expectField(res, 'config.appToken', /application token again/);

		const mail = await create(OTHERS.find((o) => o.type === 'email'));
		res = await patch(mail.body.id as number, { config: { host: 'smtp.attacker.net' } });
		expectField(res, 'config.password', /SMTP host is now smtp\.attacker\.net/);
		res = await patch(mail.body.id as number, { config: { host: 'SMTP.example.org' } });
		expect(res.status).toBe(200);
	});

	it('checks the merged configuration, renames, and refuses a type change', async () => {
		const id = await phone();
		expectField(await patch(id, { config: { priority: 9 } }), 'config.priority');
		expectField(await patch(id, { type: 'gotify' }), 'type', /cannot change/);
		expectField(await patch(id, { connectorIds: [424242] }), 'connectorIds');
		expectField(await patch(id, { maxPerHour: 5000 }), 'maxPerHour');
		await create({ ...NTFY, name: 'Tablet' });
		const taken = await patch(id, { name: 'tablet' });
		expect(taken.status).toBe(409);
		const ok = await patch(id, { name: 'phone', enabled: false, maxPerHour: null });
		expect(ok.status).toBe(200);
		expect(ok.body).toMatchObject({ name: 'phone', enabled: false, maxPerHour: null });
		const bad = await call(itemRoute.PATCH, { method: 'PATCH', id, rawBody: '[1]' });
		expect(bad.status).toBe(400);
	});
});

describe('unknown ids', () => {
	it('answers 404 for GET, PATCH and DELETE of an unknown or malformed id', async () => {
		for (const id of [4242, 'abc', '0', '-1']) {
			expect((await get(id)).status).toBe(404);
			expect((await remove(id)).status).toBe(404);
			const res = await call(itemRoute.PATCH, { method: 'PATCH', id, body: { name: 'x' } });
			expect(res.status).toBe(404);
			expect(res.body.error?.code).toBe('notification_channels.not_found');
		}
	});

	it('deletes a channel with its delivery log', async () => {
		const id = (await create(NTFY)).body.id as number;
		await world.db.insert(notificationDeliveries).values({
			channelId: id,
			eventType: 'test',
			status: 'sent',
			responseCode: 200,
			durationMs: 5
		});
		expect((await remove(id)).status).toBe(204);
		expect((await get(id)).status).toBe(404);
		expect(await world.db.select().from(notificationDeliveries)).toEqual([]);
	});
});

describe('the delivery log', () => {
	it('lists attempts newest first, filtered by channel and status, page by page', async () => {
		const a = (await create(NTFY)).body.id as number;
		const b = (await create({ ...NTFY, name: 'Tablet' })).body.id as number;
		const rows: (typeof notificationDeliveries.$inferInsert)[] = [];
		for (let i = 0; i < 6; i++) {
			rows.push({
				channelId: i % 2 === 0 ? a : b,
				eventType: i < 3 ? 'item.acquired' : 'test',
				attempt: 1,
				status: i % 3 === 0 ? 'failed' : 'sent',
				responseCode: i % 3 === 0 ? 503 : 200,
				error: i % 3 === 0 ? 'ntfy answered 503' : null,
				durationMs: 10 + i
			});
		}
		for (const row of rows) await world.db.insert(notificationDeliveries).values(row);

		const all = (await deliveries()).body as unknown as {
			id: number;
			channelId: number;
			channelName: string;
			status: string;
			durationMs: number;
		}[];
		expect(all.map((d) => d.durationMs)).toEqual([15, 14, 13, 12, 11, 10]);
		expect(all[0]).toMatchObject({ channelId: b, channelName: 'Tablet', outboxId: null });

		const ofA = (await deliveries(`?channelId=${a}`)).body as unknown as typeof all;
		expect(ofA.map((d) => d.durationMs)).toEqual([14, 12, 10]);
		const failed = (await deliveries('?status=failed')).body as unknown as typeof all;
		expect(failed.map((d) => d.durationMs)).toEqual([13, 10]);
		const both = (await deliveries(`?channelId=${b}&status=sent`)).body as unknown as typeof all;
		expect(both.map((d) => d.durationMs)).toEqual([15, 11]);

		const first = (await deliveries('?limit=4')).body as unknown as typeof all;
		expect(first.map((d) => d.durationMs)).toEqual([15, 14, 13, 12]);
		const next = (await deliveries(`?limit=4&before=${first[3]!.id}`))
			.body as unknown as typeof all;
		expect(next.map((d) => d.durationMs)).toEqual([11, 10]);

		// The channel view carries its last delivery.
		const view = (await get(a)).body;
		expect(view.lastDelivery).toMatchObject({ status: 'sent', responseCode: 200 });
	});

	it('refuses bad filters, naming the parameter', async () => {
		expectField(await deliveries('?status=lost'), 'status');
		expectField(await deliveries('?channelId=x'), 'channelId');
		expectField(await deliveries('?limit=0'), 'limit');
		expectField(await deliveries('?limit=201'), 'limit');
		expectField(await deliveries('?before=-3'), 'before');
	});
});

describe('Send test notification', () => {
	const receiver = startHttpReceiver();
	afterAll(() => receiver.close());
	beforeEach(() => receiver.reset());
	const test = (id: number | string) =>
		call(testRoute.POST, {
			method: 'POST',
			id,
			path: `/api/v1/notification-channels/${id}/test`
		});

	it('publishes the ntfy JSON to the server now and logs the attempt', async () => {
		const id = (
			await create({
				...NTFY,
				enabled: false,
				config: { ...NTFY.config, serverUrl: `${receiver.url}/ntfy` }
			})
		).body.id as number;
		const res = await test(id);
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ ok: true, responseCode: 200, error: null });
		expect(receiver.requests).toHaveLength(1);
		const [request] = receiver.requests;
		expect(request).toMatchObject({ method: 'POST', path: '/ntfy/' });
		expect(request!.headers['content-type']).toMatch(/^application\/json/);
		expect(request!.headers.authorization).toBe(`Bearer ${NTFY_TOKEN}`);
		expect(request!.json).toEqual({
			topic: 'comradarr-alerts',
			title: 'Test notification from Comradarr',
			message: 'If you can read this, the channel “Phone” works.',
			priority: 4,
			tags: ['information_source', 'tv', 'comradarr']
		});
		const log = (await deliveries(`?channelId=${id}`)).body as unknown as Record<string, unknown>[];
		expect(log).toEqual([
			expect.objectContaining({
				id: res.body.deliveryId,
				eventType: 'test',
				status: 'sent',
				responseCode: 200,
				outboxId: null,
				attempt: 1
			})
		]);
		expect((await get(id)).body.lastDelivery).toMatchObject({ status: 'sent' });
		expect(seen.join('\n')).not.toContain(NTFY_TOKEN);
	});

	it('answers a failing send as 200 with ok: false and the reason, logged as failed', async () => {
		receiver.setDefault({ status: 403, body: { code: 40301, http: 403, error: 'forbidden' } });
		const id = (await create({ ...NTFY, config: { ...NTFY.config, serverUrl: receiver.url } })).body
			.id as number;
		const res = await test(id);
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ ok: false, responseCode: 403 });
		expect(res.body.error).toMatch(/403/);
		expect(res.body.error).not.toContain(NTFY_TOKEN);
		const [row] = (await deliveries('?status=failed')).body as unknown as Record<string, unknown>[];
		expect(row).toMatchObject({ id: res.body.deliveryId, status: 'failed', responseCode: 403 });
		expect((await get(id)).body.lastDelivery).toMatchObject({
			status: 'failed',
			responseCode: 403
		});
	});

	it('answers 404 for an unknown channel, sending nothing', async () => {
		expect((await test(4242)).status).toBe(404);
		expect((await test('x')).status).toBe(404);
		expect(receiver.requests).toEqual([]);
	});
});
