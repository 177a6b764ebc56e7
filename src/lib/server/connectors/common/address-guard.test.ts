import { describe, expect, it } from 'vitest';
import { assertAllowedHost, refusedAddressReason } from './address-guard';
import { ArrApiError } from './errors';

describe('connector address guard', () => {
	it.each([
		'192.168.1.10',
		'10.0.0.5',
		'172.16.3.4',
		'127.0.0.1',
		'::1',
		'fd12::1',
		'8.8.8.8',
		'::ffff:192.168.1.2'
	])('allows %s (LAN, loopback and public hosts)', (ip) => {
		expect(refusedAddressReason(ip)).toBeNull();
	});

	it.each([
		'169.254.169.254',
		'169.254.1.1',
		'0.0.0.0',
		'0.1.2.3',
		'::',
		'fe80::1',
		'FE80::abcd',
		'::ffff:169.254.169.254',
		'fd00:ec2::254'
	])('refuses %s (link-local, metadata, unspecified)', (ip) => {
		expect(refusedAddressReason(ip)).toMatch(/link-local|unspecified|metadata|0\.0\.0\.0/);
	});

	it('judges host names by what they resolve to', async () => {
		await expect(assertAllowedHost('localhost')).resolves.toBeUndefined();
		await expect(assertAllowedHost('169.254.169.254')).rejects.toMatchObject({
			kind: 'refused_address'
		});
		await expect(assertAllowedHost('[fe80::1]')).rejects.toBeInstanceOf(ArrApiError);
		await expect(assertAllowedHost('no-such-host.invalid')).rejects.toMatchObject({
			kind: 'unreachable'
		});
	});
});
