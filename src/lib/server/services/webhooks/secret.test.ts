import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../auth/tokens';
import { presentedToken, tokenMatches, webhookUrl } from './secret';

function tokenOf(headers: Record<string, string>, query = ''): string | null {
	const url = new URL(`http://comradarr.lan/webhooks/1${query}`);
	return presentedToken(new Request(url, { method: 'POST', headers }), url);
}

const basic = (credentials: string) => ({
	authorization: `Basic ${Buffer.from(credentials, 'latin1').toString('base64')}`
});

describe('presentedToken', () => {
	it('reads the Basic password (everything after the first colon), ignoring the username', () => {
		expect(tokenOf(basic('sonarr:s3cret'))).toBe('s3cret');
		expect(tokenOf(basic(':s3cret'))).toBe('s3cret');
		expect(tokenOf(basic('user:pa:ss'))).toBe('pa:ss');
		expect(tokenOf(basic('no-colon'))).toBeNull();
		expect(tokenOf(basic('user:'))).toBeNull();
		expect(tokenOf({ authorization: 'Bearer s3cret' })).toBeNull();
	});

	it('reads the X-Comradarr-Token header and the token parameter', () => {
		expect(tokenOf({ 'x-comradarr-token': ' s3cret ' })).toBe('s3cret');
		expect(tokenOf({}, '?token=s3cret')).toBe('s3cret');
		expect(tokenOf({}, '?token=')).toBeNull();
		expect(tokenOf({})).toBeNull();
	});

	it('takes the first carrier present: header, then Basic, then the query', () => {
		expect(tokenOf({ 'x-comradarr-token': 'a', ...basic('u:b') }, '?token=c')).toBe('a');
		expect(tokenOf(basic('u:b'), '?token=c')).toBe('b');
		// A present but unusable carrier is not rescued by a later one.
		expect(tokenOf({ 'x-comradarr-token': '' }, '?token=c')).toBeNull();
	});

	it('ignores tokens longer than 512 characters', () => {
		expect(tokenOf({ 'x-comradarr-token': 'x'.repeat(513) })).toBeNull();
		expect(tokenOf({ 'x-comradarr-token': 'x'.repeat(512) })).toHaveLength(512);
	});
});

describe('tokenMatches', () => {
	it('matches only the secret whose digest is stored', () => {
		const stored = sha256Hex('the-secret');
		expect(tokenMatches('the-secret', stored)).toBe(true);
		expect(tokenMatches('the-secreT', stored)).toBe(false);
		expect(tokenMatches(null, stored)).toBe(false);
		expect(tokenMatches('', sha256Hex(''))).toBe(false);
		expect(tokenMatches('the-secret', null)).toBe(false);
	});
});

describe('webhookUrl', () => {
	it('is origin + BASE_URL + /webhooks/{id}', () => {
		expect(webhookUrl('https://comradarr.lan', '', 3)).toBe('https://comradarr.lan/webhooks/3');
		expect(webhookUrl('https://nas', '/comradarr', 3)).toBe('https://nas/comradarr/webhooks/3');
	});
});
