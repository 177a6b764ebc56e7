import { describe, expect, it } from 'vitest';
import { httpUrlOrNull, sameOrigin } from './safe-url';

describe('httpUrlOrNull', () => {
	it('keeps absolute http and https URLs', () => {
		expect(httpUrlOrNull('https://wiki.servarr.com/sonarr/system#indexers')).toBe(
			'https://wiki.servarr.com/sonarr/system#indexers'
		);
		expect(httpUrlOrNull('HTTP://wiki.lan/x')).toBe('http://wiki.lan/x');
	});

	it.each([
		'javascript:alert(1)',
		'  JaVaScRiPt:alert(1)',
		'java\tscript:alert(1)',
		'data:text/html,<script>alert(1)</script>',
		'vbscript:msgbox(1)',
		'file:///etc/passwd',
		'//evil.example/x',
		'/relative',
		'',
		'not a url'
	])('drops %j', (raw) => {
		expect(httpUrlOrNull(raw)).toBeNull();
	});

	it('drops values that are not strings', () => {
		expect(httpUrlOrNull({ fullUri: 'https://wiki.servarr.com' })).toBeNull();
		expect(httpUrlOrNull(null)).toBeNull();
	});
});

describe('sameOrigin', () => {
	it('is the same origin for another URL base, letter case of the host and a default port', () => {
		expect(sameOrigin('http://nas:8989/sonarr', 'http://NAS:8989/sonarr4k')).toBe(true);
		expect(sameOrigin('http://nas/sonarr', 'http://nas:80')).toBe(true);
		expect(sameOrigin('https://nas', 'https://nas:443/x')).toBe(true);
	});

	it('is another origin when the scheme, the host or the port changes', () => {
		expect(sameOrigin('http://nas:8989', 'https://nas:8989')).toBe(false);
		expect(sameOrigin('http://nas:8989', 'http://nas2:8989')).toBe(false);
		expect(sameOrigin('http://nas:8989', 'http://nas:8990')).toBe(false);
		expect(sameOrigin('http://nas:8989', 'http://nas.evil.example:8989')).toBe(false);
		expect(sameOrigin('http://nas:8989', 'not a url')).toBe(false);
	});
});
