import { describe, expect, it } from 'vitest';
import { parseEnvFile, readReloadEnv } from './reload-env';
import { reloadTrustedProxies, trustedProxiesFromEnv, formatIp } from './http/client-address';

const files = (map: Record<string, string>) => (file: string) => {
	const text = map[file];
	if (text === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
	return text;
};

describe('parseEnvFile', () => {
	it('reads KEY=VALUE lines with comments, export and quotes', () => {
		const parsed = parseEnvFile(
			'# c\n\nexport LOG_LEVEL=debug\nTRUSTED_PROXIES="10.0.0.0/8, ::1"\nX=\'a=b\'\n'
		);
		expect(parsed.errors).toEqual([]);
		expect(Object.fromEntries(parsed.values)).toEqual({
			LOG_LEVEL: 'debug',
			TRUSTED_PROXIES: '10.0.0.0/8, ::1',
			X: 'a=b'
		});
	});

	it('names a line that is not KEY=VALUE without echoing it', () => {
		expect(parseEnvFile('LOG_LEVEL=info\nsecret-token-value\n').errors).toEqual([
			'line 2 is not KEY=VALUE'
		]);
	});
});

describe('readReloadEnv', () => {
	it('takes only the reloadable keys from COMRADARR_ENV_FILE and lists the rest as needing a restart', () => {
		const env = { COMRADARR_ENV_FILE: '/e', LOG_LEVEL: 'info', PORT: '3000', SECRET_KEY: 's' };
		const input = readReloadEnv(
			env,
			files({ '/e': 'LOG_LEVEL=debug\nPORT=4000\nSECRET_KEY=s\nMETRICS_TOKEN_FILE=/run/t\n' })
		);
		expect(input).toEqual({
			ok: true,
			file: '/e',
			needsRestart: ['PORT'],
			env: { ...env, LOG_LEVEL: 'debug', METRICS_TOKEN_FILE: '/run/t' }
		});
	});

	it('applies the process environment alone without COMRADARR_ENV_FILE', () => {
		expect(readReloadEnv({ LOG_LEVEL: 'warn' }, files({}))).toEqual({
			ok: true,
			file: null,
			needsRestart: [],
			env: { LOG_LEVEL: 'warn' }
		});
	});

	it('refuses the whole reload when the file cannot be read or parsed', () => {
		expect(readReloadEnv({ COMRADARR_ENV_FILE: '/missing' }, files({}))).toEqual({
			ok: false,
			file: '/missing',
			error: 'COMRADARR_ENV_FILE /missing cannot be read (ENOENT)'
		});
		const bad = readReloadEnv({ COMRADARR_ENV_FILE: '/e' }, files({ '/e': 'LOG_LEVEL debug' }));
		expect(bad.ok).toBe(false);
	});
});

describe('reloadTrustedProxies', () => {
	it('puts a new list in force for every later caller, and keeps the old one when the new is invalid', () => {
		const before = process.env.TRUSTED_PROXIES;
		process.env.TRUSTED_PROXIES = '127.0.0.3';
		try {
			expect(reloadTrustedProxies({ TRUSTED_PROXIES: '127.0.0.3' })).toEqual([]);
			expect(reloadTrustedProxies({ TRUSTED_PROXIES: '10.0.0.0/8,192.0.2.1' })).toEqual([
				'trusted proxies 127.0.0.3 → 10.0.0.0/8, 192.0.2.1'
			]);
			expect(trustedProxiesFromEnv().map(([ip, bits]) => `${formatIp(ip)}/${bits}`)).toEqual([
				'10.0.0.0/8',
				'192.0.2.1/32'
			]);
			expect(() => reloadTrustedProxies({ TRUSTED_PROXIES: '10.0.0.0/8, 300.1.1.1' })).toThrow(
				'TRUSTED_PROXIES invalid CIDR "300.1.1.1"; kept 10.0.0.0/8, 192.0.2.1'
			);
			expect(trustedProxiesFromEnv()).toHaveLength(2);
			// An explicit environment is still parsed as such (validation, tests).
			expect(trustedProxiesFromEnv({ TRUSTED_PROXIES: '' })).toEqual([]);
			expect(reloadTrustedProxies({})).toEqual(['trusted proxies 10.0.0.0/8, 192.0.2.1 → none']);
			expect(trustedProxiesFromEnv()).toEqual([]);
		} finally {
			process.env.TRUSTED_PROXIES = before;
			reloadTrustedProxies({ TRUSTED_PROXIES: before });
		}
	});
});
