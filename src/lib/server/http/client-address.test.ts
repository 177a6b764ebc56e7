import { describe, expect, it } from 'vitest';
import {
	cidrContains,
	clientAddress,
	formatIp,
	isLocalNetworkAddress,
	parseCidr,
	parseIp,
	parseTrustedProxies,
	resolveClient,
	trustedProxiesFromEnv,
	type IpAddress
} from './client-address';

const ip = (text: string): IpAddress => {
	const bytes = parseIp(text);
	if (!bytes) throw new Error(`test address ${text} did not parse`);
	return bytes;
};

describe('parseIp', () => {
	it('parses IPv4 and IPv6, compressed or not, with an embedded IPv4 tail', () => {
		expect(ip('192.168.1.20').toByteArray()).toEqual([192, 168, 1, 20]);
		expect(formatIp(ip('2001:db8::1'))).toBe('2001:db8::1');
		expect(formatIp(ip('2001:0DB8:0000:0000:0000:0000:0000:0001'))).toBe('2001:db8::1');
		expect(formatIp(ip('::'))).toBe('::');
		expect(formatIp(ip('::1'))).toBe('::1');
		expect(formatIp(ip('fe80::1%eth0'))).toBe('fe80::1');
		expect(formatIp(ip('64:ff9b::192.0.2.33'))).toBe('64:ff9b::c000:221');
		expect(formatIp(ip('1:0:0:2:0:0:0:3'))).toBe('1:0:0:2::3');
	});

	it('treats IPv4-mapped IPv6 (how dual-stack sockets report IPv4 peers) as IPv4', () => {
		expect(formatIp(ip('::ffff:10.0.0.7'))).toBe('10.0.0.7');
		expect(formatIp(ip('::ffff:a00:7'))).toBe('10.0.0.7');
		expect(formatIp(ip('0:0:0:0:0:FFFF:7F00:0001'))).toBe('127.0.0.1');
		expect(ip('::ffff:127.0.0.1').kind()).toBe('ipv4');
	});

	it('rejects anything that is not exactly an address', () => {
		for (const bad of [
			'',
			'localhost',
			'1.2.3',
			'1.2.3.4.5',
			'256.1.1.1',
			'01.2.3.4',
			'1.2.3.-4',
			'1::2::3',
			'1:2:3:4:5:6:7:8:9',
			'1:2:3:4:5:6:7',
			'12345::',
			':1:2',
			'1:2:',
			'g::1',
			'1.2.3.4::',
			'0x7f.0.0.1',
			'127.1',
			'2130706433',
			'::ffff:0x7f.1',
			'::ffff:127.1',
			'::ffff:010.0.0.1',
			'1.2.3.4 5'
		]) {
			expect(parseIp(bad), bad).toBeNull();
		}
	});
});

describe('CIDR matching', () => {
	it('matches IPv4 and IPv6 blocks on the prefix bits only', () => {
		expect(cidrContains(parseCidr('10.0.0.0/8'), ip('10.255.1.2'))).toBe(true);
		expect(cidrContains(parseCidr('10.0.0.0/8'), ip('11.0.0.1'))).toBe(false);
		expect(cidrContains(parseCidr('172.16.0.0/12'), ip('172.31.255.255'))).toBe(true);
		expect(cidrContains(parseCidr('172.16.0.0/12'), ip('172.32.0.0'))).toBe(false);
		expect(cidrContains(parseCidr('192.0.2.7'), ip('192.0.2.7'))).toBe(true);
		expect(cidrContains(parseCidr('192.0.2.7'), ip('192.0.2.8'))).toBe(false);
		expect(cidrContains(parseCidr('0.0.0.0/0'), ip('203.0.113.9'))).toBe(true);
		expect(cidrContains(parseCidr('fd00::/8'), ip('fd12:3456::1'))).toBe(true);
		expect(cidrContains(parseCidr('fd00::/8'), ip('fe80::1'))).toBe(false);
		expect(cidrContains(parseCidr('2001:db8:abcd:12::/63'), ip('2001:db8:abcd:13::99'))).toBe(true);
		expect(cidrContains(parseCidr('2001:db8:abcd:12::/63'), ip('2001:db8:abcd:14::'))).toBe(false);
	});

	it('never matches across address families, except IPv4-mapped blocks and peers', () => {
		expect(cidrContains(parseCidr('::/0'), ip('10.0.0.1'))).toBe(false);
		expect(cidrContains(parseCidr('0.0.0.0/0'), ip('::1'))).toBe(false);
		expect(cidrContains(parseCidr('::ffff:10.0.0.0/104'), ip('10.1.2.3'))).toBe(true);
		expect(cidrContains(parseCidr('10.0.0.0/8'), ip('::ffff:10.1.2.3'))).toBe(true);
	});

	it('refuses malformed TRUSTED_PROXIES entries instead of trusting nobody silently', () => {
		expect(() => parseTrustedProxies('10.0.0.0/8, 10.0.0.0/33')).toThrow(/10\.0\.0\.0\/33/);
		expect(() => parseTrustedProxies('proxy.lan')).toThrow(/proxy\.lan/);
		expect(() => parseCidr('fd00::/129')).toThrow();
		expect(() => parseCidr('10.0.0.0/8/8')).toThrow();
		expect(() => parseCidr('10.0.0.0/')).toThrow();
		expect(parseTrustedProxies(undefined)).toEqual([]);
		expect(parseTrustedProxies(' 10.0.0.0/8 ,fd00::/8 ')).toHaveLength(2);
		expect(trustedProxiesFromEnv({ TRUSTED_PROXIES: '127.0.0.1' })).toHaveLength(1);
		expect(trustedProxiesFromEnv({})).toEqual([]);
	});
});

describe('isLocalNetworkAddress', () => {
	it('counts loopback, RFC 1918 and RFC 4193 addresses as local, in every notation', () => {
		for (const local of [
			'127.0.0.1',
			'127.8.9.10',
			'10.1.2.3',
			'172.16.0.1',
			'172.31.255.255',
			'192.168.178.20',
			'::1',
			'fd12:3456::1',
			'fc00::1',
			'::ffff:192.168.1.2',
			'::ffff:c0a8:102'
		]) {
			expect(isLocalNetworkAddress(ip(local)), local).toBe(true);
		}
	});

	it('counts nothing else as local: public, link-local, CGNAT, unspecified, NAT64', () => {
		for (const remote of [
			'8.8.8.8',
			'172.32.0.1',
			'192.169.0.1',
			'169.254.1.1',
			'100.64.0.1',
			'0.0.0.0',
			'2001:db8::1',
			'fe80::1',
			'::',
			'64:ff9b::10.0.0.1',
			'::ffff:8.8.8.8'
		]) {
			expect(isLocalNetworkAddress(ip(remote)), remote).toBe(false);
		}
	});
});

describe('clientAddress', () => {
	const proxies = parseTrustedProxies('10.0.0.0/8, fd00::/8');

	it('uses the socket peer and ignores X-Forwarded-For when no proxy is trusted', () => {
		expect(
			clientAddress({ peer: '203.0.113.5', forwardedFor: '198.51.100.1', trustedProxies: [] })
		).toBe('203.0.113.5');
	});

	it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
		expect(
			clientAddress({
				peer: '203.0.113.5',
				forwardedFor: '10.0.0.1, 127.0.0.1',
				trustedProxies: proxies
			})
		).toBe('203.0.113.5');
	});

	it('takes the right-most untrusted hop behind trusted proxies, so a spoofed left part is ignored', () => {
		expect(
			clientAddress({
				peer: '10.0.0.2',
				forwardedFor: '1.1.1.1, 198.51.100.7, 10.0.0.9',
				trustedProxies: proxies
			})
		).toBe('198.51.100.7');
		expect(
			clientAddress({
				peer: '::ffff:10.0.0.2',
				forwardedFor: '198.51.100.7',
				trustedProxies: proxies
			})
		).toBe('198.51.100.7');
		expect(
			clientAddress({
				peer: 'fd00::2',
				forwardedFor: '2001:db8::5, fd00::3',
				trustedProxies: proxies
			})
		).toBe('2001:db8::5');
	});

	it('accepts hops with ports and bracketed IPv6', () => {
		expect(
			clientAddress({
				peer: '10.0.0.2',
				forwardedFor: '[2001:db8::5]:4711',
				trustedProxies: proxies
			})
		).toBe('2001:db8::5');
		expect(
			clientAddress({
				peer: '10.0.0.2',
				forwardedFor: '198.51.100.7:51000',
				trustedProxies: proxies
			})
		).toBe('198.51.100.7');
	});

	it('returns the left-most hop when every hop is a trusted proxy', () => {
		expect(
			clientAddress({
				peer: '10.0.0.2',
				forwardedFor: '10.1.1.1, 10.0.0.9',
				trustedProxies: proxies
			})
		).toBe('10.1.1.1');
	});

	it('stops at a malformed hop and keeps the last valid address', () => {
		expect(
			clientAddress({
				peer: '10.0.0.2',
				forwardedFor: 'garbage, 10.0.0.9',
				trustedProxies: proxies
			})
		).toBe('10.0.0.9');
		expect(
			clientAddress({ peer: '10.0.0.2', forwardedFor: 'unknown', trustedProxies: proxies })
		).toBe('10.0.0.2');
	});

	it('says whether the address came from the header, and whether the peer is trusted', () => {
		expect(
			resolveClient({ peer: '10.0.0.2', forwardedFor: '198.51.100.7', trustedProxies: proxies })
		).toMatchObject({ address: '198.51.100.7', peerTrusted: true, forwarded: true });
		expect(
			resolveClient({ peer: '10.0.0.2', forwardedFor: null, trustedProxies: proxies })
		).toMatchObject({ address: '10.0.0.2', peerTrusted: true, forwarded: false });
		expect(
			resolveClient({ peer: '203.0.113.5', forwardedFor: '10.0.0.1', trustedProxies: proxies })
		).toMatchObject({ address: '203.0.113.5', peerTrusted: false, forwarded: false });
		expect(resolveClient({ peer: '', forwardedFor: null, trustedProxies: proxies })).toEqual({
			address: '',
			ip: null,
			peer: null,
			peerTrusted: false,
			forwarded: false
		});
	});

	it('falls back to the peer when a trusted proxy sends no header', () => {
		expect(clientAddress({ peer: '10.0.0.2', forwardedFor: null, trustedProxies: proxies })).toBe(
			'10.0.0.2'
		);
		expect(clientAddress({ peer: '10.0.0.2', forwardedFor: '', trustedProxies: proxies })).toBe(
			'10.0.0.2'
		);
	});
});
