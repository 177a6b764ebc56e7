import { describe, expect, it } from 'vitest';
import { assertAllowedHost, checkHost, refusedAddressReason, type Resolver } from './address-guard';
import { ArrApiError } from './errors';

/** The host name of a URL as the WHATWG parser normalises it (what the HTTP client checks). */
const hostOf = (url: string) => new URL(url).hostname;

/** A resolver with fixed answers that records what it was asked. */
function fixedResolver(answers: string[]): Resolver & { calls: string[] } {
	const calls: string[] = [];
	return Object.assign(
		(hostname: string) => {
			calls.push(hostname);
			return Promise.resolve(answers);
		},
		{ calls }
	);
}

async function refusal(hostname: string, resolve?: Resolver): Promise<ArrApiError> {
	const error = await checkHost(hostname, resolve).then(
		() => null,
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(ArrApiError);
	return error as ArrApiError;
}

describe('connector address guard', () => {
	it.each([
		'192.168.1.10',
		'10.0.0.5',
		'172.16.3.4',
		'127.0.0.1',
		'::1',
		'fd12::1',
		'8.8.8.8',
		'::ffff:192.168.1.2',
		// Tailscale hands out 100.64.0.0/10; only Alibaba's single metadata address in it is refused.
		'100.101.102.103',
		// NAT64 of a public address.
		'64:ff9b::808:808'
	])('allows %s (LAN, loopback, public hosts and their IPv6 forms)', (ip) => {
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
		'fd00:ec2::254',
		'224.0.0.1',
		'ff02::1'
	])('refuses %s (link-local, metadata, unspecified, multicast)', (ip) => {
		expect(refusedAddressReason(ip)).toMatch(
			/link-local|unspecified|metadata|0\.0\.0\.0|multicast/
		);
	});

	it.each([
		['decimal', 'http://2852039166/'],
		['hex octets', 'http://0xa9.0xfe.0xa9.0xfe/'],
		['octal octets', 'http://0251.0376.0251.0376/'],
		['a shortened dotted form', 'http://169.254.43518/'],
		['IPv4-mapped IPv6, dotted', 'http://[::ffff:169.254.169.254]/'],
		['IPv4-mapped IPv6, hex (what the URL parser makes of it)', 'http://[::ffff:a9fe:a9fe]/'],
		['IPv4-mapped IPv6, written out', 'http://[0:0:0:0:0:ffff:a9fe:a9fe]/'],
		['IPv4-compatible IPv6', 'http://[::169.254.169.254]/'],
		['IPv4-translated IPv6', 'http://[::ffff:0:169.254.169.254]/'],
		['NAT64 (64:ff9b::/96)', 'http://[64:ff9b::169.254.169.254]/'],
		['local-use NAT64 with a /48 prefix', 'http://[64:ff9b:1:a9fe:a9:fe00::]/'],
		['6to4', 'http://[2002:a9fe:a9fe::1]/'],
		['a Teredo client', 'http://[2001:0:4136:e378:8000:63bf:5601:5601]/']
	])('refuses 169.254.169.254 spelt in %s', async (_form, url) => {
		const error = await refusal(hostOf(url));
		expect(error.kind).toBe('refused_address');
		expect(error.message).toMatch(/169\.254\.169\.254(,| is) a link-local address/);
	});

	it.each([
		['100.100.100.200', /Alibaba/],
		['168.63.129.16', /Azure/],
		['192.0.0.192', /Oracle/],
		['[fd00:ec2::254]', /AWS/],
		['[::ffff:100.100.100.200]', /Alibaba/],
		['[64:ff9b::a83f:8110]', /Azure/]
	])('refuses the cloud metadata address %s', async (host, cloud) => {
		const error = await refusal(host);
		expect(error.kind).toBe('refused_address');
		expect(error.message).toMatch(cloud);
	});

	it('checks every answer of the resolver and names the refused one', async () => {
		const resolve = fixedResolver(['10.0.0.5', '169.254.169.254']);
		const error = await refusal('metadata.internal', resolve);
		expect(error.kind).toBe('refused_address');
		expect(error.message).toBe(
			'This address is not allowed: metadata.internal resolves to 169.254.169.254, ' +
				'a link-local address (169.254.0.0/16, where cloud metadata services live).'
		);
		expect(resolve.calls).toEqual(['metadata.internal']);
	});

	it('refuses a DNS answer that spells a refused address as IPv4-mapped IPv6', async () => {
		const error = await refusal('nas.lan', fixedResolver(['::ffff:a9fe:a9fe']));
		expect(error.message).toMatch(/nas\.lan resolves to ::ffff:a9fe:a9fe, 169\.254\.169\.254/);
	});

	it('returns the checked addresses, normalised, for the client to connect to', async () => {
		const resolve = fixedResolver(['::ffff:a00:5', '192.168.1.7', 'fd12::0:1']);
		await expect(checkHost('nas.lan', resolve)).resolves.toEqual({
			hostname: 'nas.lan',
			isAddress: false,
			addresses: ['10.0.0.5', '192.168.1.7', 'fd12::1']
		});
		await expect(checkHost('[::1]', resolve)).resolves.toEqual({
			hostname: '::1',
			isAddress: true,
			addresses: ['::1']
		});
		// An IP address is never sent to the resolver.
		expect(resolve.calls).toEqual(['nas.lan']);
	});

	it('treats a name without answers, or one that does not resolve, as unreachable', async () => {
		expect((await refusal('empty.lan', fixedResolver([]))).kind).toBe('unreachable');
		const failing: Resolver = () => Promise.reject(new Error('ENOTFOUND'));
		expect((await refusal('gone.lan', failing)).kind).toBe('unreachable');
	});

	it('judges host names by what the system resolver says', async () => {
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
