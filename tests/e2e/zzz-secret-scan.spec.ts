/**
 * Secret scan (issue 7, item 13): runs after every other spec and reads what the app servers
 * exchanged and logged during the whole e2e run (tests/e2e/recording-server.ts, at LOG_LEVEL
 * debug; every line either server wrote to stdout or stderr). Every secret that passed through the
 * app — connector API keys, passwords, API keys of our own, session tokens, notification channel
 * tokens, webhook secrets — must appear in no response body (pages, `__data.json`, API, action
 * results, the Logs page and `GET /api/v1/logs`, which serve the log lines) and no log line; the
 * one exception is the response that shows a new API key once.
 *
 * The secrets are harvested from the traffic itself, so a key or password a new spec types is
 * covered without touching this file: form and JSON fields named like a secret (ours and every
 * notification channel's secret fields, also inside superforms' devalue-encoded JSON posts),
 * `X-Api-Key` headers, session cookies set, `cmdr_…` keys shown at creation, and webhook secrets shown at
 * generation (their one allowed place, like a new API key's). The scan ends the run with
 * one more mistake of a real user: a password typed into the username field of the login form.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { parse as parseDevalue } from 'devalue';
import { SECRET_FIELDS as CHANNEL_SECRET_FIELDS } from '../../src/lib/types/notifications';
import { ADMIN, APP, RADARR_KEY, SONARR_KEY, WHISPARR3_KEY } from './helpers';

interface Exchange {
	method: string;
	path: string;
	requestHeaders: { 'x-api-key': string | null; 'content-type': string | null };
	requestBody: string | null;
	status: number;
	setCookie: string[];
	contentType: string | null;
	body: string | null;
}

/** Field names whose values are secrets wherever they are sent: ours and the channels'. */
const SECRET_FIELD_NAMES = new Set<string>([
	'apiKey',
	'password',
	'currentPassword',
	'newPassword',
	'confirmPassword',
	...Object.values(CHANNEL_SECRET_FIELDS).flat()
]);
const SECRET_FIELDS = { test: (name: string) => SECRET_FIELD_NAMES.has(name) };
/** Channel secret names (ntfy token, Telegram bot token, webhook secret…). */
const CHANNEL_FIELDS = new Set<string>(Object.values(CHANNEL_SECRET_FIELDS).flat());
/**
 * The form field in which superforms posts a `dataType: 'json'` form (the notification channel
 * and throttle profile forms): the whole form, devalue-encoded, in one or more chunks.
 */
const SUPERFORM_JSON = '__superform_json';
/** Shorter values prove nothing (and would match by accident). */
const MIN_SECRET = 8;
const OUR_KEY = /cmdr_[A-Za-z0-9_-]{43}/g;

const files = JSON.parse(process.env.E2E_SCAN_FILES ?? '[]') as { traffic: string; log: string }[];

function readLines(file: string): string[] {
	return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

/**
 * The secret-named fields of a request body, with their names: a JSON body, a form post, and the
 * devalue-encoded form that superforms posts for `dataType: 'json'` forms.
 */
function secretFields(exchange: Exchange): { name: string; value: string }[] {
	const body = exchange.requestBody;
	if (!body) return [];
	const found: { name: string; value: string }[] = [];
	const walk = (value: unknown): void => {
		if (Array.isArray(value)) value.forEach(walk);
		else if (value && typeof value === 'object') {
			for (const [key, field] of Object.entries(value)) {
				if (SECRET_FIELDS.test(key) && typeof field === 'string') {
					found.push({ name: key, value: field });
				} else {
					walk(field);
				}
			}
		}
	};
	const formFields = (pairs: Iterable<[string, string]>) => {
		const json: string[] = [];
		for (const [key, value] of pairs) {
			if (key === SUPERFORM_JSON) json.push(value);
			else if (SECRET_FIELDS.test(key)) found.push({ name: key, value });
		}
		if (json.length > 0) {
			try {
				walk(parseDevalue(json.join('')));
			} catch {
				// Not superforms' encoding after all: nothing more to harvest.
			}
		}
	};
	const type = exchange.requestHeaders['content-type'] ?? '';
	if (type.includes('application/json')) {
		try {
			walk(JSON.parse(body));
		} catch {
			// Not JSON after all: nothing to harvest.
		}
	} else if (type.includes('application/x-www-form-urlencoded')) {
		formFields(new URLSearchParams(body));
	} else if (type.includes('multipart/form-data')) {
		formFields(
			[...body.matchAll(/name="([^"]+)"\r?\n\r?\n([^\r\n]*)/g)].map((match): [string, string] => [
				match[1] ?? '',
				match[2] ?? ''
			])
		);
	}
	return found;
}

function sessionTokens(exchange: Exchange): string[] {
	return exchange.setCookie
		.map((cookie) => /^comradarr_session=([^;]*)/.exec(cookie)?.[1] ?? '')
		.filter((token) => token.length > 0);
}

/** The response that shows a freshly created API key: the only place it may appear. */
function isKeyCreation(exchange: Exchange): boolean {
	return exchange.method === 'POST' && /^\/settings\/api-keys\b/.test(exchange.path);
}

/**
 * The responses that show a new webhook secret (the connector page's `?/webhook` action and
 * `POST /api/v1/connectors/{id}/webhook`): the only place each may appear.
 */
function isWebhookSecretCreation(exchange: Exchange): boolean {
	return (
		exchange.method === 'POST' &&
		/^\/(connectors\/\d+\?\/webhook|api\/v1\/connectors\/\d+\/webhook)$/.test(exchange.path)
	);
}
/** A webhook secret (43 base64url characters) as a JSON string, also inside SvelteKit's action data. */
const WEBHOOK_SECRET = /\\?"([A-Za-z0-9_-]{43})\\?"/g;

/** What a user types into the username field by mistake: their password (never to be logged). */
const MISTYPED = 'correct-horse-typed-as-username';

test('no response body and no log line of the e2e run carries a secret', async ({ request }) => {
	expect(files.length, 'E2E_SCAN_FILES names the recorded servers').toBeGreaterThan(0);
	// One last mistake for the log: the password typed into the username field.
	const refused = await request.post('/login', {
		headers: { Origin: APP },
		form: { username: MISTYPED, password: 'wrong' },
		maxRedirects: 0
	});
	expect(refused.status()).toBeLessThan(500);
	expect(refused.headers()['set-cookie'] ?? '').not.toContain('comradarr_session=');

	const exchanges: Exchange[] = [];
	const logLines: string[] = [];
	for (const { traffic, log } of files) {
		exchanges.push(...readLines(traffic).map((line) => JSON.parse(line) as Exchange));
		logLines.push(...readLines(log));
	}

	// Harvest.
	const secrets = new Map<string, string>();
	const add = (value: string | null | undefined, what: string) => {
		if (value && value.length >= MIN_SECRET && !secrets.has(value)) secrets.set(value, what);
	};
	for (const value of [SONARR_KEY, RADARR_KEY, WHISPARR3_KEY]) add(value, 'a simulator API key');
	add(ADMIN.password, 'the admin password');
	const createdKeys = new Set<string>();
	const createdWebhookSecrets = new Set<string>();
	let channelSecrets = 0;
	for (const exchange of exchanges) {
		for (const { name, value } of secretFields(exchange)) {
			const channel = CHANNEL_FIELDS.has(name) && /notification/.test(exchange.path);
			if (channel && value.length >= MIN_SECRET) channelSecrets++;
			add(
				value,
				channel ? 'a notification channel secret' : `a secret field sent to ${exchange.path}`
			);
		}
		add(exchange.requestHeaders['x-api-key'], 'an X-Api-Key header');
		for (const token of sessionTokens(exchange)) add(token, 'a session token');
		if (isWebhookSecretCreation(exchange) && exchange.status < 300) {
			for (const match of exchange.body?.matchAll(WEBHOOK_SECRET) ?? []) {
				if (match[1]) {
					createdWebhookSecrets.add(match[1]);
					add(match[1], 'a webhook secret');
				}
			}
		}
		if (isKeyCreation(exchange)) {
			for (const key of exchange.body?.match(OUR_KEY) ?? []) {
				createdKeys.add(key);
				add(key, 'an API key of ours');
			}
		}
	}

	// The harvest must have seen what the run certainly did, or the scan proves nothing.
	expect(exchanges.length).toBeGreaterThan(500);
	expect(logLines.length).toBeGreaterThan(50);
	expect(exchanges.filter((e) => e.body !== null).length).toBeGreaterThan(300);
	const kinds = new Set(secrets.values());
	expect(kinds).toContain('a session token');
	expect(createdKeys.size, 'an API key was created in the UI (z-settings.spec.ts)').toBeGreaterThan(
		0
	);
	expect([...secrets.keys()]).toEqual(expect.arrayContaining([SONARR_KEY, ADMIN.password]));
	expect(
		channelSecrets,
		'a notification channel token was typed into its form (x-notifications.spec.ts)'
	).toBeGreaterThan(0);
	expect(
		createdWebhookSecrets.size,
		'a webhook secret was generated (x-webhooks.spec.ts)'
	).toBeGreaterThan(0);

	console.log(
		`secret scan: ${exchanges.length} exchanges, ${logLines.length} log lines, ` +
			`${secrets.size} secrets (${[...kinds].join(', ')})`
	);

	// Scan.
	const leaks: string[] = [];
	for (const exchange of exchanges) {
		if (!exchange.body) continue;
		for (const [secret, what] of secrets) {
			if (!exchange.body.includes(secret)) continue;
			if (createdKeys.has(secret) && isKeyCreation(exchange)) continue;
			if (createdWebhookSecrets.has(secret) && isWebhookSecretCreation(exchange)) continue;
			leaks.push(`${exchange.method} ${exchange.path} → ${exchange.status}: ${what}`);
		}
		// A key of ours in any other response is a leak even if the harvest missed its creation.
		if (!isKeyCreation(exchange) && (exchange.body.match(OUR_KEY)?.length ?? 0) > 0) {
			leaks.push(`${exchange.method} ${exchange.path} → ${exchange.status}: a cmdr_ key`);
		}
	}
	// The login form shows a user what they typed as their username; the log must not keep it.
	const logOnly = new Map([[MISTYPED, 'a password typed into the username field']]);
	for (const [index, line] of logLines.entries()) {
		for (const [secret, what] of [...secrets, ...logOnly]) {
			if (line.includes(secret)) leaks.push(`log line ${index + 1}: ${what}`);
		}
	}
	expect([...new Set(leaks)], [...new Set(leaks)].slice(0, 30).join('\n')).toEqual([]);
});
