/**
 * The eight channel senders against real local receivers: an HTTP server on 127.0.0.1 that
 * records every request (the hosted APIs' bases pointed at it) and a real SMTP server. Each test
 * checks the exact request a service documents (method, path, headers, body, auth), and how
 * answers and failures become a `SendResult` (retryable or not, Retry-After), without a secret
 * ever reaching the error sentence. No fetch is mocked.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
	createSenders,
	verifyWebhookSignature,
	type SenderRegistry
} from '../../src/lib/server/services/notifications/channels';
import type { Resolver } from '../../src/lib/server/connectors/common/address-guard';
import type { NotificationMessage } from '../../src/lib/types/notifications';
import { closedPort, startHttpReceiver, type HttpReceiver } from '../helpers/receivers';

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
