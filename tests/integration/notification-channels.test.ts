/**
 * The eight channel senders against real local receivers: an HTTP server on 127.0.0.1 that
 * records every request (the hosted APIs' bases pointed at it) and a real SMTP server. Each test
 * checks the exact request a service documents (method, path, headers, body, auth), and how
 * answers and failures become a `SendResult` (retryable or not, Retry-After), without a secret
 * ever reaching the error sentence. No fetch is mocked.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
	createSenders,
	sendNotification,
	sendVia,
	verifyWebhookSignature,
	type SenderRegistry
} from '../../src/lib/server/services/notifications/channels';
import type { Resolver } from '../../src/lib/server/connectors/common/address-guard';
import {
	DISCORD_LIMITS,
	embedLength
} from '../../src/lib/server/services/notifications/channels/discord';
import type { NotificationMessage } from '../../src/lib/types/notifications';
import {
	closedPort,
	startHttpReceiver,
	startSmtpReceiver,
	type HttpReceiver,
	type SmtpReceiver
} from '../helpers/receivers';

const message: NotificationMessage = {
	title: 'Acquired 15 episodes across 3 series <&>',
	body: 'Severance S02E01–E10\nThe Bear S03E01–E05',
	severity: 'info',
	eventType: 'search.completed',
	url: 'https://comradarr.example/activity?x=1&y=2',
	fields: [
		{ name: 'Connector', value: 'Sonarr 4K' },
		{ name: 'Searches', value: '15' }
	],
	timestamp: '2026-12-02T16:00:00.000Z',
	events: [
		{
			id: 41,
			type: 'search.completed',
			connectorId: 3,
			subject: { seriesId: 7 },
			payload: { episodes: 10 },
			createdAt: '2026-12-02T15:59:58.000Z'
		}
	]
};

const DISCORD_TOKEN = 'x9Ykq2Zt0dP3mN8sL1rV6bW4cF7hJ5gA-discordsecret';
const BOT_TOKEN = '123456789:AAEbotSecretTokenValue_0123456789';
const SLACK_PATH = '/services/T0001/B0002/slackSecretXYZ123';

let receiver: HttpReceiver;
let senders: SenderRegistry;
const sent = (index = 0) => {
	const request = receiver.requests[index];
	if (!request) throw new Error(`no request #${index} arrived`);
	return request;
};

beforeAll(() => {
	receiver = startHttpReceiver();
	senders = createSenders({
		telegramApiBase: `${receiver.url}/telegram`,
		pushoverApiBase: `${receiver.url}/pushover`
	});
});

afterAll(async () => {
	await receiver.close();
});

beforeEach(() => {
	receiver.reset();
});

describe('ntfy', () => {
	it('publishes as JSON to the server root with the topic, priority by severity and a Bearer token', async () => {
		receiver.reply({ body: { id: 'abc', event: 'message' } });
		const result = await senders.ntfy.send(
			{ serverUrl: `${receiver.url}/`, topic: 'comradarr', token: 'tk_secret_ntfy_token' },
			{ ...message, severity: 'error' }
		);
		expect(result).toEqual({ ok: true, responseCode: 200, error: null, retryable: false });
		const request = sent();
		expect(request.method).toBe('POST');
		expect(request.path).toBe('/');
		expect(request.headers['content-type']).toBe('application/json');
		expect(request.headers.authorization).toBe('Bearer tk_secret_ntfy_token');
		expect(request.json).toEqual({
			topic: 'comradarr',
			title: message.title,
			message: `${message.body}\nConnector: Sonarr 4K\nSearches: 15`,
			priority: 5,
			tags: ['rotating_light'],
			click: message.url
		});
	});

	it('uses the configured priority and tags, and Basic auth for a username and password', async () => {
		await senders.ntfy.send(
			{
				serverUrl: `${receiver.url}/ntfy`,
				topic: 't',
				username: 'phil',
				password: 'pa:ss',
				priority: 2,
				tags: ['tv']
			},
			{ ...message, url: null }
		);
		const request = sent();
		expect(request.path).toBe('/ntfy/');
		expect(request.headers.authorization).toBe(
			`Basic ${Buffer.from('phil:pa:ss').toString('base64')}`
		);
		const body = request.json as Record<string, unknown>;
		expect(body.priority).toBe(2);
		expect(body.tags).toEqual(['information_source', 'tv']);
		expect(body).not.toHaveProperty('click');
	});

	it('sends the URL host in Host while connecting to the checked address', async () => {
		const resolver: Resolver = (name) =>
			Promise.resolve(name === 'ntfy.home.test' ? ['127.0.0.1'] : []);
		const local = createSenders({ resolver });
		const result = await local.ntfy.send(
			{ serverUrl: `http://ntfy.home.test:${receiver.port}`, topic: 't' },
			message
		);
		expect(result.ok).toBe(true);
		expect(sent().headers.host).toBe(`ntfy.home.test:${receiver.port}`);
		expect(sent().headers).not.toHaveProperty('authorization');
	});
});

describe('generic webhook', () => {
	const secret = 'whsec_local_test_secret';
	const clock = () => new Date('2026-12-02T16:00:05.678Z');

	it('posts the versioned JSON body, signed over the raw bytes with the timestamp inside', async () => {
		receiver.reply({ status: 204 });
		const result = await senders.webhook.send(
			{ url: `${receiver.url}/hooks/comradarr?src=1`, secret },
			message,
			{ clock }
		);
		expect(result).toEqual({ ok: true, responseCode: 204, error: null, retryable: false });
		const request = sent();
		expect(request.method).toBe('POST');
		expect(request.path).toBe('/hooks/comradarr?src=1');
		expect(request.headers['content-type']).toBe('application/json');
		expect(request.headers['x-comradarr-timestamp']).toBe(
			String(Date.parse('2026-12-02T16:00:05Z') / 1000)
		);
		expect(request.json).toEqual({
			version: 1,
			sentAt: '2026-12-02T16:00:05.000Z',
			eventType: 'search.completed',
			severity: 'info',
			title: message.title,
			body: message.body,
			url: message.url,
			timestamp: message.timestamp,
			fields: message.fields,
			events: message.events
		});
		const now = clock();
		const signature = request.headers['x-comradarr-signature'];
		const timestamp = request.headers['x-comradarr-timestamp'];
		expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
		expect(verifyWebhookSignature(secret, request.bytes, signature, timestamp, now)).toBe(true);
		expect(verifyWebhookSignature(secret, request.body, signature, timestamp, now)).toBe(true);
	});

	it('a tampered body, another secret, a moved timestamp or a stale request fail verification', async () => {
		await senders.webhook.send({ url: receiver.url, secret }, message, { clock });
		const { body, headers } = sent();
		const signature = headers['x-comradarr-signature'];
		const timestamp = headers['x-comradarr-timestamp']!;
		const now = clock();
		const tampered = body.replace('Sonarr 4K', 'Sonarr 8K');
		expect(tampered).not.toBe(body);
		expect(verifyWebhookSignature(secret, tampered, signature, timestamp, now)).toBe(false);
		expect(verifyWebhookSignature('another secret', body, signature, timestamp, now)).toBe(false);
		expect(
			verifyWebhookSignature(secret, body, signature, String(Number(timestamp) + 1), now)
		).toBe(false);
		expect(verifyWebhookSignature(secret, body, undefined, timestamp, now)).toBe(false);
		const later = new Date(now.getTime() + 301_000);
		expect(verifyWebhookSignature(secret, body, signature, timestamp, later)).toBe(false);
		expect(verifyWebhookSignature(secret, body, signature, timestamp, later, 600)).toBe(true);
	});
});

describe('address guard', () => {
	it('refuses the metadata address without connecting, not retryable', async () => {
		const started = performance.now();
		const result = await senders.webhook.send(
			{ url: 'http://169.254.169.254/latest/meta-data/', secret: 's3cret-value' },
			message
		);
		expect(performance.now() - started).toBeLessThan(500);
		expect(result.ok).toBe(false);
		expect(result.retryable).toBe(false);
		expect(result.responseCode).toBeNull();
		expect(result.error).toContain('refused');
		expect(result.error).toContain('169.254.169.254');
		expect(result.error).toContain('link-local');
	});

	it('refuses a name that resolves to a metadata address', async () => {
		const resolver: Resolver = () => Promise.resolve(['169.254.169.254']);
		const result = await createSenders({ resolver }).ntfy.send(
			{ serverUrl: 'http://ntfy.example', topic: 't' },
			message
		);
		expect(result).toMatchObject({ ok: false, retryable: false, responseCode: null });
		expect(result.error).toContain('resolves to 169.254.169.254');
	});
});

describe('failure classification', () => {
	const ntfy = () => ({ serverUrl: receiver.url, topic: 't' });

	it('5xx is retryable, 4xx is not, 408 is', async () => {
		receiver.reply(
			{ status: 500 },
			{ status: 400, body: { code: 40001, http: 400, error: 'invalid topic' } },
			{ status: 408 }
		);
		const five = await senders.ntfy.send(ntfy(), message);
		expect(five).toMatchObject({ ok: false, responseCode: 500, retryable: true });
		const four = await senders.ntfy.send(ntfy(), message);
		expect(four).toMatchObject({ ok: false, responseCode: 400, retryable: false });
		expect(four.error).toContain('invalid topic');
		const timeoutAnswer = await senders.ntfy.send(ntfy(), message);
		expect(timeoutAnswer).toMatchObject({ ok: false, responseCode: 408, retryable: true });
	});

	it('429 with Retry-After gives retryAfterMs', async () => {
		receiver.reply({ status: 429, headers: { 'Retry-After': '7' } });
		const result = await senders.ntfy.send(ntfy(), message);
		expect(result).toMatchObject({
			ok: false,
			responseCode: 429,
			retryable: true,
			retryAfterMs: 7000
		});
	});

	it('an answer slower than the timeout is a retryable timeout', async () => {
		receiver.reply({ delayMs: 1500 });
		const started = performance.now();
		const result = await senders.ntfy.send(ntfy(), message, { timeoutMs: 200 });
		expect(performance.now() - started).toBeLessThan(1200);
		expect(result).toMatchObject({ ok: false, responseCode: null, retryable: true });
		expect(result.error).toContain('no answer within 200 ms');
	});

	it('a refused connection is retryable', async () => {
		const port = await closedPort();
		const result = await senders.webhook.send(
			{ url: `http://127.0.0.1:${port}/hook`, secret: 'x' },
			message
		);
		expect(result).toMatchObject({ ok: false, responseCode: null, retryable: true });
		expect(result.error).toMatch(/refused|unreachable|connect/i);
	});

	it('a redirect is not followed and not retryable', async () => {
		receiver.reply({ status: 302, headers: { Location: 'http://169.254.169.254/' } });
		const result = await senders.ntfy.send(ntfy(), message);
		expect(result).toMatchObject({ ok: false, responseCode: 302, retryable: false });
		expect(receiver.requests).toHaveLength(1);
	});
});

describe('discord', () => {
	const webhookUrl = () => `${receiver.url}/api/webhooks/1234567890/${DISCORD_TOKEN}`;

	it('executes the webhook with wait=true and one embed: title, description, url, colour, inline fields, timestamp, footer', async () => {
		receiver.reply({ body: { id: '1', type: 0 } });
		const result = await senders.discord.send(
			{ webhookUrl: webhookUrl() },
			{ ...message, severity: 'warning' }
		);
		expect(result).toEqual({ ok: true, responseCode: 200, error: null, retryable: false });
		const request = sent();
		expect(request.method).toBe('POST');
		expect(request.path).toBe(`/api/webhooks/1234567890/${DISCORD_TOKEN}?wait=true`);
		expect(request.headers['content-type']).toBe('application/json');
		expect(request.json).toEqual({
			username: 'Comradarr',
			embeds: [
				{
					title: message.title,
					description: message.body,
					url: message.url,
					color: 0xf59e0b,
					fields: [
						{ name: 'Connector', value: 'Sonarr 4K', inline: true },
						{ name: 'Searches', value: '15', inline: true }
					],
					timestamp: message.timestamp,
					footer: { text: 'Comradarr · search.completed' }
				}
			]
		});
	});

	it('keeps every embed limit for an oversized message', async () => {
		const huge: NotificationMessage = {
			...message,
			title: 't'.repeat(400),
			body: 'b'.repeat(9000),
			fields: Array.from({ length: 40 }, (_, i) => ({
				name: `n${i}`.repeat(100),
				value: 'v'.repeat(2000)
			}))
		};
		await senders.discord.send({ webhookUrl: webhookUrl() }, huge);
		const embed = (sent().json as { embeds: Parameters<typeof embedLength>[0][] }).embeds[0]!;
		expect(embed.title.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
		expect(embed.description!.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
		expect(embed.description!.length).toBeGreaterThan(0);
		expect(embed.fields.length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
		for (const field of embed.fields) {
			expect(field.name.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldName);
			expect(field.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
		}
		expect(embedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
	});

	it("takes a 429's retry_after (seconds) from the body", async () => {
		receiver.reply({
			status: 429,
			headers: { 'Retry-After': '9' },
			body: { message: 'You are being rate limited.', retry_after: 1.5, global: false }
		});
		const result = await senders.discord.send({ webhookUrl: webhookUrl() }, message);
		expect(result).toMatchObject({
			ok: false,
			responseCode: 429,
			retryable: true,
			retryAfterMs: 1500
		});
	});

	it('never puts the webhook token in an error sentence', async () => {
		receiver.reply({
			status: 404,
			body: { message: `Unknown Webhook ${DISCORD_TOKEN}`, code: 10015 }
		});
		const notFound = await senders.discord.send({ webhookUrl: webhookUrl() }, message);
		expect(notFound).toMatchObject({ ok: false, responseCode: 404, retryable: false });
		const port = await closedPort();
		const refused = await senders.discord.send(
			{ webhookUrl: `http://127.0.0.1:${port}/api/webhooks/1/${DISCORD_TOKEN}` },
			message
		);
		const timedOut = await (async () => {
			receiver.reply({ delayMs: 800 });
			return senders.discord.send({ webhookUrl: webhookUrl() }, message, { timeoutMs: 100 });
		})();
		for (const result of [notFound, refused, timedOut]) {
			expect(result.ok).toBe(false);
			expect(result.error).toBeTruthy();
			expect(result.error).not.toContain(DISCORD_TOKEN);
			expect(result.error).not.toContain('/api/webhooks/');
		}
	});
});

describe('telegram', () => {
	it('keeps the visible text within 4096 characters for an oversized message', async () => {
		receiver.reply({ body: { ok: true } });
		await senders.telegram.send(
			{ botToken: BOT_TOKEN, chatId: '1' },
			{
				...message,
				body: '<&>'.repeat(3000),
				fields: Array.from({ length: 30 }, () => ({ name: 'n', value: 'v'.repeat(400) }))
			}
		);
		const { text } = sent().json as { text: string };
		const visible = text
			.replace(/<[^>]+>/g, '')
			.replaceAll('&lt;', '<')
			.replaceAll('&gt;', '>')
			.replaceAll('&quot;', '"')
			.replaceAll('&amp;', '&');
		expect(visible.length).toBeLessThanOrEqual(4096);
		expect(text).toMatch(/^<b>/);
	});

	it('posts sendMessage to the bot URL with HTML text (escaped title in <b>) and link previews off', async () => {
		receiver.reply({ body: { ok: true, result: { message_id: 5 } } });
		const result = await senders.telegram.send({ botToken: BOT_TOKEN, chatId: '-100123' }, message);
		expect(result).toEqual({ ok: true, responseCode: 200, error: null, retryable: false });
		const request = sent();
		expect(request.method).toBe('POST');
		expect(request.path).toBe(`/telegram/bot${BOT_TOKEN}/sendMessage`);
		expect(request.headers['content-type']).toBe('application/json');
		expect(request.json).toEqual({
			chat_id: '-100123',
			text:
				'<b>Acquired 15 episodes across 3 series &lt;&amp;&gt;</b>\n\n' +
				'Severance S02E01–E10\nThe Bear S03E01–E05\n\n' +
				'<b>Connector:</b> Sonarr 4K\n<b>Searches:</b> 15\n\n' +
				'<a href="https://comradarr.example/activity?x=1&amp;y=2">Open in Comradarr</a>',
			parse_mode: 'HTML',
			link_preview_options: { is_disabled: true }
		});
	});

	it('reads ok:false, and parameters.retry_after of a 429, without the token in the error', async () => {
		receiver.reply(
			{
				status: 400,
				body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' }
			},
			{
				status: 429,
				body: {
					ok: false,
					error_code: 429,
					description: 'Too Many Requests: retry after 3',
					parameters: { retry_after: 3 }
				}
			},
			{ status: 200, body: { ok: false, description: 'odd' } },
			{
				status: 401,
				body: { ok: false, error_code: 401, description: `Unauthorized bot${BOT_TOKEN}` }
			}
		);
		const config = { botToken: BOT_TOKEN, chatId: '1' };
		const notFound = await senders.telegram.send(config, message);
		expect(notFound).toMatchObject({ ok: false, responseCode: 400, retryable: false });
		expect(notFound.error).toContain('chat not found');
		const limited = await senders.telegram.send(config, message);
		expect(limited).toMatchObject({
			ok: false,
			responseCode: 429,
			retryable: true,
			retryAfterMs: 3000
		});
		const notOk = await senders.telegram.send(config, message);
		expect(notOk).toMatchObject({ ok: false, responseCode: 200, retryable: false });
		const unauthorized = await senders.telegram.send(config, message);
		expect(unauthorized).toMatchObject({ ok: false, responseCode: 401, retryable: false });
		const port = await closedPort();
		const refused = await createSenders({
			telegramApiBase: `http://127.0.0.1:${port}`
		}).telegram.send(config, message);
		expect(refused).toMatchObject({ ok: false, responseCode: null, retryable: true });
		for (const result of [notFound, limited, notOk, unauthorized, refused]) {
			expect(result.error).not.toContain(BOT_TOKEN);
			expect(result.error).not.toContain('AAEbotSecret');
		}
	});
});

describe('slack', () => {
	it('posts text plus header, mrkdwn section, fields and context blocks; "ok" is success', async () => {
		receiver.reply({ body: 'ok' });
		const result = await senders.slack.send(
			{ webhookUrl: `${receiver.url}${SLACK_PATH}` },
			message
		);
		expect(result).toEqual({ ok: true, responseCode: 200, error: null, retryable: false });
		const request = sent();
		expect(request.method).toBe('POST');
		expect(request.path).toBe(SLACK_PATH);
		expect(request.headers['content-type']).toBe('application/json');
		expect(request.json).toEqual({
			text: `Acquired 15 episodes across 3 series &lt;&amp;&gt;\n${message.body}`,
			blocks: [
				{ type: 'header', text: { type: 'plain_text', text: message.title, emoji: true } },
				{ type: 'section', text: { type: 'mrkdwn', text: message.body } },
				{
					type: 'section',
					fields: [
						{ type: 'mrkdwn', text: '*Connector*\nSonarr 4K' },
						{ type: 'mrkdwn', text: '*Searches*\n15' }
					]
				},
				{
					type: 'context',
					elements: [
						{ type: 'mrkdwn', text: ':information_source: Info' },
						{ type: 'mrkdwn', text: message.timestamp },
						{ type: 'mrkdwn', text: `<${message.url}|Open in Comradarr>` }
					]
				}
			]
		});
	});

	it('caps section fields at 10 and reports Slack error codes without the webhook path', async () => {
		receiver.reply({ status: 404, body: 'no_service' });
		const many = {
			...message,
			fields: Array.from({ length: 14 }, (_, i) => ({ name: `f${i}`, value: 'v' }))
		};
		const result = await senders.slack.send({ webhookUrl: `${receiver.url}${SLACK_PATH}` }, many);
		expect(result).toMatchObject({ ok: false, responseCode: 404, retryable: false });
		expect(result.error).toContain('no_service');
		expect(result.error).not.toContain('slackSecretXYZ123');
		const blocks = (sent().json as { blocks: { fields?: unknown[] }[] }).blocks;
		expect(blocks.find((block) => block.fields)?.fields).toHaveLength(10);
	});
});

describe('pushover', () => {
	it('posts the form to /1/messages.json with token, user, title, message, url, priority by severity and timestamp', async () => {
		receiver.reply({ body: { status: 1, request: 'abc' } });
		const result = await senders.pushover.send(
			{ appToken: 'azGDORePK8gMaC0QOYAMyEEuzJnyUi', userKey: 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG' },
			{ ...message, severity: 'error' }
		);
		expect(result).toEqual({ ok: true, responseCode: 200, error: null, retryable: false });
		const request = sent();
		expect(request.method).toBe('POST');
		expect(request.path).toBe('/pushover/1/messages.json');
		expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
		expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
			token: 'azGDORePK8gMaC0QOYAMyEEuzJnyUi',
			user: 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG',
			title: message.title,
			message: `${message.body}\nConnector: Sonarr 4K\nSearches: 15`,
			priority: '1',
			url: message.url,
			url_title: 'Open in Comradarr',
			timestamp: String(Date.parse(message.timestamp) / 1000)
		});
	});

	it('maps info to -1 and warning to 0; a refused key (status 0) is not retryable, a 5xx waits at least 5 s', async () => {
		const config = {
			appToken: 'azGDORePK8gMaC0QOYAMyEEuzJnyUi',
			userKey: 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG'
		};
		receiver.reply(
			{ body: { status: 1 } },
			{ body: { status: 1 } },
			{ status: 400, body: { status: 0, user: 'invalid', errors: ['user identifier is invalid'] } },
			{ status: 503 }
		);
		await senders.pushover.send(config, message);
		await senders.pushover.send(config, { ...message, severity: 'warning' });
		expect(new URLSearchParams(sent(0).body).get('priority')).toBe('-1');
		expect(new URLSearchParams(sent(1).body).get('priority')).toBe('0');
		const refused = await senders.pushover.send(config, message);
		expect(refused).toMatchObject({ ok: false, responseCode: 400, retryable: false });
		expect(refused.error).toContain('user identifier is invalid');
		const down = await senders.pushover.send(config, message);
		expect(down).toMatchObject({
			ok: false,
			responseCode: 503,
			retryable: true,
			retryAfterMs: 5000
		});
		for (const result of [refused, down]) {
			expect(result.error).not.toContain(config.appToken);
			expect(result.error).not.toContain(config.userKey);
		}
	});
});

describe('gotify', () => {
	it('posts /message with X-Gotify-Key, title, message, priority and the click extra', async () => {
		receiver.reply({ body: { id: 1 } });
		const result = await senders.gotify.send(
			{ serverUrl: `${receiver.url}/gotify/`, appToken: 'AGotifyAppToken.x' },
			{ ...message, severity: 'warning' }
		);
		expect(result).toEqual({ ok: true, responseCode: 200, error: null, retryable: false });
		const request = sent();
		expect(request.method).toBe('POST');
		expect(request.path).toBe('/gotify/message');
		expect(request.headers['x-gotify-key']).toBe('AGotifyAppToken.x');
		expect(request.headers['content-type']).toBe('application/json');
		expect(request.json).toEqual({
			title: message.title,
			message: `${message.body}\nConnector: Sonarr 4K\nSearches: 15`,
			priority: 5,
			extras: {
				'client::display': { contentType: 'text/plain' },
				'client::notification': { click: { url: message.url } }
			}
		});
	});

	it('a wrong token (401) is not retryable and the token stays out of the error', async () => {
		receiver.reply({
			status: 401,
			body: {
				error: 'Unauthorized',
				errorCode: 401,
				errorDescription:
					'you need to provide a valid access token or user credentials to access this api'
			}
		});
		const result = await senders.gotify.send(
			{ serverUrl: receiver.url, appToken: 'AGotifyAppToken.x' },
			message
		);
		expect(result).toMatchObject({ ok: false, responseCode: 401, retryable: false });
		expect(result.error).toContain('valid access token');
		expect(result.error).not.toContain('AGotifyAppToken.x');
	});
});

describe('email', () => {
	let smtp: SmtpReceiver;
	let authSmtp: SmtpReceiver;
	beforeAll(async () => {
		smtp = await startSmtpReceiver();
		authSmtp = await startSmtpReceiver({ users: { comradarr: 'mail-pass-123' } });
	});
	afterAll(async () => {
		await smtp.close();
		await authSmtp.close();
	});
	beforeEach(() => {
		smtp.reset();
		authSmtp.reset();
	});

	const base = () => ({
		host: '127.0.0.1',
		port: smtp.port,
		secure: false,
		from: 'Comradarr <comradarr@example.test>',
		to: 'admin@example.test'
	});

	it('sends from/to/subject with a text part and an escaped HTML part; the reply code is responseCode', async () => {
		const result = await senders.email.send(base(), message);
		expect(result).toEqual({ ok: true, responseCode: 250, error: null, retryable: false });
		expect(smtp.messages).toHaveLength(1);
		const mail = smtp.messages[0]!;
		expect(mail.envelope).toEqual({ from: 'comradarr@example.test', to: ['admin@example.test'] });
		expect(mail.user).toBeNull();
		expect(mail.from).toBe('Comradarr <comradarr@example.test>');
		expect(mail.to).toBe('admin@example.test');
		expect(mail.subject).toBe(message.title);
		expect(mail.text).toBe(
			`${message.body}\n\nConnector: Sonarr 4K\nSearches: 15\n\n` +
				`Open in Comradarr: ${message.url}\n\nComradarr · search.completed · ${message.timestamp}`
		);
		expect(mail.html).toContain('<h2>Acquired 15 episodes across 3 series &lt;&amp;&gt;</h2>');
		expect(mail.html).toContain('href="https://comradarr.example/activity?x=1&amp;y=2"');
	});

	it('logs in when a username is set; a wrong password is a 535, not retryable, without the password', async () => {
		const good = await senders.email.send(
			{ ...base(), port: authSmtp.port, username: 'comradarr', password: 'mail-pass-123' },
			message
		);
		expect(good.ok).toBe(true);
		expect(authSmtp.messages[0]!.user).toBe('comradarr');
		const bad = await senders.email.send(
			{ ...base(), port: authSmtp.port, username: 'comradarr', password: 'wrong-pass-456' },
			message
		);
		expect(bad).toMatchObject({ ok: false, responseCode: 535, retryable: false });
		expect(bad.error).not.toContain('wrong-pass-456');
		expect(authSmtp.messages).toHaveLength(1);
	});

	it('a 4xx reply is retryable, a 5xx reply is not, a closed port is retryable', async () => {
		smtp.rejectRecipients(451);
		const transient = await senders.email.send(base(), message);
		expect(transient).toMatchObject({ ok: false, responseCode: 451, retryable: true });
		smtp.rejectRecipients(550);
		const permanent = await senders.email.send(base(), message);
		expect(permanent).toMatchObject({ ok: false, responseCode: 550, retryable: false });
		const port = await closedPort();
		const refused = await senders.email.send({ ...base(), port }, message);
		expect(refused).toMatchObject({ ok: false, responseCode: null, retryable: true });
		expect(smtp.messages).toHaveLength(0);
	});

	it('a server that never greets is a retryable timeout', async () => {
		const sockets: Socket[] = [];
		const silent: Server = createServer((socket) => sockets.push(socket));
		await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
		const { port } = silent.address() as { port: number };
		try {
			const started = performance.now();
			const result = await senders.email.send({ ...base(), port }, message, { timeoutMs: 300 });
			expect(performance.now() - started).toBeLessThan(2000);
			expect(result).toMatchObject({ ok: false, responseCode: null, retryable: true });
		} finally {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => silent.close(() => resolve()));
		}
	});

	it('checks the SMTP host with the address guard before connecting', async () => {
		const result = await senders.email.send(
			{ ...base(), host: '169.254.169.254', port: 25 },
			message
		);
		expect(result).toMatchObject({ ok: false, responseCode: null, retryable: false });
		expect(result.error).toContain('link-local');
		const resolver: Resolver = () => Promise.resolve(['169.254.169.254']);
		const named = await createSenders({ resolver }).email.send(
			{ ...base(), host: 'mail.example' },
			message
		);
		expect(named).toMatchObject({ ok: false, retryable: false });
		expect(named.error).toContain('resolves to 169.254.169.254');
	});
});

describe('the registry', () => {
	it('sendNotification sends with the default senders; sendVia with a given registry', async () => {
		receiver.setDefault({ status: 202 });
		const viaDefault = await sendNotification(
			'webhook',
			{ url: `${receiver.url}/a`, secret: 'k' },
			message
		);
		expect(viaDefault).toMatchObject({ ok: true, responseCode: 202 });
		const type = 'webhook' as const;
		const viaGiven = await sendVia(
			senders,
			type,
			{ url: `${receiver.url}/b`, secret: 'k' },
			message
		);
		expect(viaGiven).toMatchObject({ ok: true, responseCode: 202 });
		expect(receiver.requests.map((request) => request.path)).toEqual(['/a', '/b']);
		const unknown = await sendVia(senders, 'fax' as never, {} as never, message);
		expect(unknown).toMatchObject({ ok: false, retryable: false });
	});

	it('leaves out a link that is only a path (no public URL) where a chat app needs an absolute URL', async () => {
		const relative = { ...message, url: '/activity' };
		receiver.setDefault({ body: { ok: true, status: 1 } });
		await senders.discord.send(
			{ webhookUrl: `${receiver.url}/api/webhooks/1/${DISCORD_TOKEN}` },
			relative
		);
		await senders.telegram.send({ botToken: BOT_TOKEN, chatId: '1' }, relative);
		await senders.ntfy.send({ serverUrl: receiver.url, topic: 't' }, relative);
		await senders.gotify.send({ serverUrl: receiver.url, appToken: 'tok12345' }, relative);
		await senders.pushover.send({ appToken: 'app12345', userKey: 'user12345' }, relative);
		const [discord, telegram, ntfy, gotify, pushover] = receiver.requests;
		expect((discord!.json as { embeds: object[] }).embeds[0]).not.toHaveProperty('url');
		expect((telegram!.json as { text: string }).text).not.toContain('href');
		expect(ntfy!.json).not.toHaveProperty('click');
		expect((gotify!.json as { extras: object }).extras).not.toHaveProperty('client::notification');
		expect(new URLSearchParams(pushover!.body).has('url')).toBe(false);
	});

	it('has one sender per channel type, each naming its type', () => {
		expect(Object.keys(senders).sort()).toEqual([
			'discord',
			'email',
			'gotify',
			'ntfy',
			'pushover',
			'slack',
			'telegram',
			'webhook'
		]);
		for (const [type, sender] of Object.entries(senders)) expect(sender.type).toBe(type);
	});

	it('never throws for a malformed stored configuration', async () => {
		for (const sender of Object.values(senders)) {
			const result = await (
				sender.send as (c: unknown, m: NotificationMessage) => Promise<unknown>
			)({}, message);
			expect(result).toMatchObject({ ok: false, retryable: false, responseCode: null });
		}
	});

	it('a cancelled attempt (shutdown) is retryable', async () => {
		receiver.reply({ delayMs: 1000 });
		const controller = new AbortController();
		const pending = senders.ntfy.send({ serverUrl: receiver.url, topic: 't' }, message, {
			signal: controller.signal
		});
		setTimeout(() => controller.abort(), 50);
		const result = await pending;
		expect(result).toMatchObject({ ok: false, responseCode: null, retryable: true });
		expect(result.error).toContain('cancelled');
	});
});
