/**
 * The Settings form actions, called as SvelteKit calls them (a posted FormData, `locals`,
 * cookies) against the real PostgreSQL: each refuses bad input with a field error and stores
 * nothing, and a valid post is stored (and, for the log level, applied to the running logger).
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ActionFailure, Cookies, RequestEvent } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';
import { resetDb, testDb } from '../helpers/db';
import { setDb, type Database } from '../../src/lib/server/db';
import { apiKeys, appSettings, sessions, users } from '../../src/lib/server/db/schema';
import { SESSION_COOKIE, createSession, sessionIdFromToken } from '$lib/server/auth/session';
import { createUser } from '$lib/server/auth/users';
import { logger, moduleLogger, setLogLevel } from '$lib/server/logger';
import {
	getSettings,
	invalidateSettingsCache
} from '$lib/server/services/settings/settings-service';
import { actions as generalActions } from '../../src/routes/(app)/settings/general/+page.server';
import { actions as securityActions } from '../../src/routes/(app)/settings/security/+page.server';
import { actions as apiKeyActions } from '../../src/routes/(app)/settings/api-keys/+page.server';

interface FormShape {
	valid: boolean;
	data: Record<string, unknown>;
	errors: Record<string, string[] | undefined>;
	message?: { type: string; text: string };
}
type Result = ActionFailure<{ form: FormShape }> | { form: FormShape; created?: { key: string } };

let db: Database;
let user: { id: number; username: string };
let sessionToken: string;

beforeAll(async () => {
	db = await testDb();
});
beforeEach(async () => {
	await resetDb(db);
	invalidateSettingsCache();
	setDb(db);
	user = await createUser(db, { username: 'admin', password: 'old password' });
	sessionToken = (await createSession(db, user.id, { address: '127.0.0.1', userAgent: 'vitest' }))
		.token;
});
afterEach(() => {
	setDb(undefined);
	// Tests run silent; a saved log level must not leave the logger talking.
	setLogLevel('silent');
});

function event(action: string, fields: Record<string, string>): RequestEvent {
	const body = new FormData();
	for (const [name, value] of Object.entries(fields)) body.set(name, value);
	const url = `http://comradarr.lan/settings?/${action}`;
	const jar = new Map([[SESSION_COOKIE, sessionToken]]);
	return {
		url: new URL(url),
		request: new Request(url, { method: 'POST', body }),
		locals: { user, apiKey: null, requestId: 'test' },
		cookies: {
			get: (name: string) => jar.get(name),
			set: () => undefined,
			delete: (name: string) => void jar.delete(name),
			serialize: () => ''
		} as unknown as Cookies,
		params: {},
		getClientAddress: () => '127.0.0.1'
	} as unknown as RequestEvent;
}

async function call(
	action: (event: never) => unknown,
	name: string,
	fields: Record<string, string>
): Promise<{ status: number; form: FormShape; created?: { key: string } }> {
	const result = (await action(event(name, fields) as never)) as Result;
	if ('status' in result && 'data' in result) {
		return { status: result.status, form: result.data.form };
	}
	return { status: 200, form: result.form, ...(result.created ? { created: result.created } : {}) };
}

describe('General', () => {
	it('refuses an unknown time zone on its field and stores nothing', async () => {
		const { status, form } = await call(generalActions.default, 'default', {
			displayName: 'Home media',
			timeZone: 'Mars/Olympus_Mons',
			logLevel: 'info'
		});
		expect(status).toBe(400);
		expect(form.errors.timeZone?.[0]).toMatch(/Not a known time zone/);
		expect(await db.select().from(appSettings)).toEqual([]);
	});

	it('refuses a control character in the display name and an unknown log level', async () => {
		const { status, form } = await call(generalActions.default, 'default', {
			displayName: 'a\u0007b',
			timeZone: 'UTC',
			logLevel: 'loud'
		});
		expect(status).toBe(400);
		expect(form.errors.displayName).toEqual(['Control characters are not allowed.']);
		expect(form.errors.logLevel?.[0]).toMatch(/Choose one of/);
	});

	it('stores a valid section and applies the log level to the logger and every child at once', async () => {
		// pino 10: a child without a level of its own follows its parent's level; one created with
		// (or later given) its own level keeps it unless the setter reaches it too.
		const child = moduleLogger('sync').child({ cid: 'x' });
		const own = moduleLogger('http').child({ cid: 'y' }, { level: 'error' });
		const { status, form } = await call(generalActions.default, 'default', {
			displayName: '  Home media ',
			timeZone: 'Europe/Berlin',
			logLevel: 'debug'
		});
		expect(status).toBe(200);
		expect(form.message).toEqual({ type: 'success', text: 'General settings saved.' });
		expect((await getSettings(db)).general).toEqual({
			displayName: 'Home media',
			timeZone: 'Europe/Berlin',
			logLevel: 'debug'
		});
		expect(logger.level).toBe('debug');
		expect(child.level).toBe('debug');
		expect(own.level).toBe('debug');
	});
});

describe('Security', () => {
	const valid = { authMode: 'full', proxyHeader: 'Remote-User', sessionMaxAgeDays: '30' };

	it('refuses to disable authentication without the explicit confirmation', async () => {
		const { status, form } = await call(securityActions.security, 'security', {
			...valid,
			authMode: 'disabled'
		});
		expect(status).toBe(400);
		expect(form.errors.confirmDisabled?.[0]).toMatch(/confirm/);
		expect((await getSettings(db)).security.authMode).toBe('full');

		const confirmed = await call(securityActions.security, 'security', {
			...valid,
			authMode: 'disabled',
			confirmDisabled: 'on'
		});
		expect(confirmed.status).toBe(200);
		expect((await getSettings(db)).security.authMode).toBe('disabled');
		// The confirmation is asked again next time.
		expect(confirmed.form.data.confirmDisabled).toBe(false);
	});

	it('refuses the proxy-header mode while TRUSTED_PROXIES is not set', async () => {
		const saved = process.env.TRUSTED_PROXIES;
		delete process.env.TRUSTED_PROXIES;
		try {
			const { status, form } = await call(securityActions.security, 'security', {
				...valid,
				authMode: 'proxy_header'
			});
			expect(status).toBe(400);
			expect(form.errors.authMode?.[0]).toMatch(/TRUSTED_PROXIES/);
			expect(await db.select().from(appSettings)).toEqual([]);

			process.env.TRUSTED_PROXIES = '10.0.0.1';
			const allowed = await call(securityActions.security, 'security', {
				...valid,
				authMode: 'proxy_header'
			});
			expect(allowed.status).toBe(200);
		} finally {
			if (saved === undefined) delete process.env.TRUSTED_PROXIES;
			else process.env.TRUSTED_PROXIES = saved;
		}
	});

	it('keeps the session lifetime to whole days from 1 to 365 and the header to a header name', async () => {
		// (superforms parses an integer field with parseInt, so "1.5" arrives as 1: the input's step=1 stops it first.)
		for (const days of ['0', '366', '-3', '']) {
			const { status, form } = await call(securityActions.security, 'security', {
				...valid,
				sessionMaxAgeDays: days
			});
			expect(status, days).toBe(400);
			expect(form.errors.sessionMaxAgeDays, days).toBeDefined();
		}
		const header = await call(securityActions.security, 'security', {
			...valid,
			proxyHeader: 'Remote User'
		});
		expect(header.form.errors.proxyHeader).toBeDefined();
		const ok = await call(securityActions.security, 'security', {
			...valid,
			sessionMaxAgeDays: '7'
		});
		expect(ok.status).toBe(200);
		expect((await getSettings(db)).security.sessionMaxAgeDays).toBe(7);
	});

	it('changes the password only with the right current one and never echoes a password', async () => {
		const other = await createSession(db, user.id, { address: '198.51.100.1', userAgent: null });
		const mismatch = await call(securityActions.password, 'password', {
			currentPassword: 'old password',
			newPassword: 'new password',
			confirmPassword: 'new passwort'
		});
		expect(mismatch.form.errors.confirmPassword).toEqual(['The passwords do not match.']);
		const wrong = await call(securityActions.password, 'password', {
			currentPassword: 'guess',
			newPassword: 'new password',
			confirmPassword: 'new password'
		});
		expect(wrong.status).toBe(400);
		expect(wrong.form.errors.currentPassword).toEqual(['The current password is wrong.']);
		expect(JSON.stringify(wrong.form)).not.toContain('new password');
		expect(JSON.stringify(wrong.form)).not.toContain('guess');

		const done = await call(securityActions.password, 'password', {
			currentPassword: 'old password',
			newPassword: 'new password',
			confirmPassword: 'new password'
		});
		expect(done.status).toBe(200);
		expect(done.form.message?.text).toBe('Password changed. 1 other session was logged out.');
		const left = await db.select({ id: sessions.id }).from(sessions);
		expect(left).toEqual([{ id: sessionIdFromToken(sessionToken) }]);
		expect(left).not.toContainEqual({ id: sessionIdFromToken(other.token) });
	});

	it('logs a listed session out, refuses ids that are not sessions, and logs out everywhere else', async () => {
		const a = await createSession(db, user.id, { address: '198.51.100.1', userAgent: null });
		await createSession(db, user.id, { address: '198.51.100.2', userAgent: null });
		const bad = await call(securityActions.revokeSession, 'revokeSession', { sessionId: 'x' });
		expect(bad.status).toBe(400);
		const one = await call(securityActions.revokeSession, 'revokeSession', {
			sessionId: sessionIdFromToken(a.token)
		});
		expect(one.status).toBe(200);
		const again = await call(securityActions.revokeSession, 'revokeSession', {
			sessionId: sessionIdFromToken(a.token)
		});
		expect(again.status).toBe(404);
		const rest = await call(securityActions.revokeOtherSessions, 'revokeOtherSessions', {});
		expect(rest.form.message?.text).toBe('Logged out 1 other session.');
		expect(await db.select({ id: sessions.id }).from(sessions)).toEqual([
			{ id: sessionIdFromToken(sessionToken) }
		]);
	});
});

describe('API keys', () => {
	it('refuses a key without a description or with a rate limit out of range, and stores nothing', async () => {
		const empty = await call(apiKeyActions.create, 'create', { name: ' ', scope: 'read' });
		expect(empty.status).toBe(400);
		expect(empty.form.errors.name).toEqual(['Describe what the key is for.']);
		for (const limit of ['0', '10001', 'many']) {
			const { status, form } = await call(apiKeyActions.create, 'create', {
				name: 'script',
				scope: 'full',
				rateLimitPerMinute: limit
			});
			expect(status, limit).toBe(400);
			expect(form.errors.rateLimitPerMinute, limit).toBeDefined();
		}
		const scope = await call(apiKeyActions.create, 'create', { name: 'script', scope: 'admin' });
		expect(scope.form.errors.scope).toBeDefined();
		expect(await db.select().from(apiKeys)).toEqual([]);
	});

	it('creates a key, returns it once in the action result and stores only its hash', async () => {
		const { status, created, form } = await call(apiKeyActions.create, 'create', {
			name: 'Home Assistant',
			scope: 'read',
			rateLimitPerMinute: '60'
		});
		expect(status).toBe(200);
		expect(created?.key).toMatch(/^cmdr_/);
		expect(JSON.stringify(form)).not.toContain(created?.key);
		const [row] = await db.select().from(apiKeys);
		expect(row).toMatchObject({ name: 'Home Assistant', readOnly: true, rateLimitPerMinute: 60 });
		expect(JSON.stringify(row)).not.toContain(created?.key);

		const revoked = await call(apiKeyActions.revoke, 'revoke', { id: String(row?.id) });
		expect(revoked.status).toBe(200);
		expect(await db.select().from(apiKeys)).toEqual([]);
		const twice = await call(apiKeyActions.revoke, 'revoke', { id: String(row?.id) });
		expect(twice.status).toBe(404);
	});

	it('cannot revoke another user’s key', async () => {
		const bob = await createUser(db, { username: 'bob', password: 'password-b' });
		const [bobs] = await db
			.insert(apiKeys)
			.values({ name: 'bob', keyHash: 'f'.repeat(64), prefix: 'cmdr_bob', userId: bob.id })
			.returning({ id: apiKeys.id });
		const { status } = await call(apiKeyActions.revoke, 'revoke', { id: String(bobs?.id) });
		expect(status).toBe(404);
		expect(await db.select().from(apiKeys).where(eq(apiKeys.userId, bob.id))).toHaveLength(1);
		expect(await db.select().from(users)).toHaveLength(2);
	});
});
