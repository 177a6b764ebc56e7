import { describe, expect, it } from 'vitest';
import { normaliseConnectorUrl } from './connector-url';

describe('connector URL', () => {
	it('keeps a URL base and drops the trailing slash', () => {
		expect(normaliseConnectorUrl(' http://nas:8989/sonarr/ ')).toEqual({
			ok: true,
			url: 'http://nas:8989/sonarr'
		});
		expect(normaliseConnectorUrl('https://192.168.1.10:7878')).toEqual({
			ok: true,
			url: 'https://192.168.1.10:7878'
		});
	});
	it.each([
		'nas:8989',
		'ftp://nas',
		'http://user:pw@nas',
		'http://nas:8989/?apikey=x',
		'http://nas:8989/api/v3',
		'not a url',
		''
	])('refuses %j with a message', (input) => {
		const result = normaliseConnectorUrl(input);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.message.length).toBeGreaterThan(10);
	});
});
