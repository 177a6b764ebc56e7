import { describe, expect, it } from 'vitest';
import { httpUrlOrNull } from './safe-url';

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
