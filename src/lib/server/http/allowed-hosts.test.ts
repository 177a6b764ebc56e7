import { describe, expect, it } from 'vitest';
import { hostNameOf, hostPolicyFromEnv, isAllowedHost, parseAllowedHosts } from './allowed-hosts';

describe('hostNameOf', () => {
	it('takes the name of a Host header: lower case, no port, brackets or trailing dot', () => {
		expect(hostNameOf('NAS.lan:3000')).toBe('nas.lan');
		expect(hostNameOf('[::1]:3000')).toBe('::1');
		expect(hostNameOf('localhost.')).toBe('localhost');
		expect(hostNameOf('192.168.1.10')).toBe('192.168.1.10');
	});

	it('refuses anything that is not a plain host', () => {
		for (const bad of ['', 'user@host', 'host/path', 'host:port', '[::1', 'a b', 'host:123456']) {
			expect(hostNameOf(bad), bad).toBeNull();
		}
	});
});

describe('isAllowedHost', () => {
	const none = parseAllowedHosts(undefined);

	it('always allows IP literals and localhost, nothing else by default', () => {
		for (const host of ['127.0.0.1:3000', '10.0.0.5', '[::1]', '[fd00::1]:80', 'localhost:3000']) {
			expect(isAllowedHost(host, none), host).toBe(true);
		}
		for (const host of [
			'nas',
			'nas.lan',
			'localhost.evil.example',
			'127.0.0.1.nip.io',
			'0x7f.1',
			null
		]) {
			expect(isAllowedHost(host, none), String(host)).toBe(false);
		}
	});

	it('allows the host of ORIGIN and the ALLOWED_HOSTS names, a leading dot meaning "and below"', () => {
		const policy = hostPolicyFromEnv({
			ORIGIN: 'https://Comradarr.Example.com/',
			ALLOWED_HOSTS: 'nas, .home.arpa'
		});
		expect(isAllowedHost('comradarr.example.com', policy)).toBe(true);
		expect(isAllowedHost('nas:3000', policy)).toBe(true);
		expect(isAllowedHost('home.arpa', policy)).toBe(true);
		expect(isAllowedHost('tv.home.arpa', policy)).toBe(true);
		expect(isAllowedHost('nas.evil.example', policy)).toBe(false);
		expect(isAllowedHost('myhome.arpa', policy)).toBe(false);
		expect(isAllowedHost('example.com', policy)).toBe(false);
	});
});
