/**
 * The client address of a request, for login throttling, the local-network bypass and logs.
 *
 * Never authenticate or throttle by a header anyone can send (DESIGN.md pitfalls; Sonarr
 * CVE-2026-30975). The address is the socket peer (`event.getClientAddress()`, which
 * `scripts/serve.ts` answers from the real socket, STACK.md trap 19); `X-Forwarded-For` is read
 * only when `TRUSTED_PROXIES` (comma-separated CIDRs or bare addresses, IPv4 or IPv6) is
 * configured and the peer is one of them. Then the header is walked from the right, skipping
 * trusted proxies, and the first untrusted hop is the client: entries further left were written
 * by the client itself and prove nothing.
 *
 * Addresses are parsed with ipaddr.js; every IPv4-mapped IPv6 form (`::ffff:10.0.0.7`,
 * `::ffff:a00:7`, how dual-stack sockets report IPv4 peers) is treated as the IPv4 address.
 * IPv4 must be four decimal parts without leading zeros: `010.0.0.1` is octal to some parsers and
 * decimal to others, `127.1` is not an address a socket reports.
 *
 * This module is imported by `scripts/serve.ts` outside the SvelteKit build, so it must not
 * import anything but types and ipaddr.js.
 */
import type { RequestEvent } from '@sveltejs/kit';
import ipaddr from 'ipaddr.js';

/** A parsed address (IPv4-mapped IPv6 already unmapped). */
export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** A parsed CIDR block: the network address and the prefix length in bits (0–32 or 0–128). */
export type Cidr = [IpAddress, number];

/**
 * Parses one address: dotted-quad IPv4 or IPv6 (compressed or not, with an embedded dotted-quad
 * tail, with or without a `%zone`, which is dropped).
 * @returns the address with IPv4-mapped IPv6 turned into IPv4, or null when `text` is not exactly
 *   an address.
 */
export function parseIp(text: string): IpAddress | null {
	const value = text.trim();
	if (value.includes(':')) {
		const [bare = ''] = value.split('%', 1);
		// ipaddr.js also accepts hex and short IPv4 forms in the embedded tail ("::ffff:0x7f.1").
		const tail = /\.[^:]*$/.test(bare) ? bare.slice(bare.lastIndexOf(':') + 1) : null;
		if (tail !== null && !ipaddr.IPv4.isValidFourPartDecimal(tail)) return null;
		if (!ipaddr.IPv6.isValid(bare)) return null;
		const v6 = ipaddr.IPv6.parse(bare);
		return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
	}
	return ipaddr.IPv4.isValidFourPartDecimal(value) ? ipaddr.IPv4.parse(value) : null;
}

/** Dotted-quad IPv4, or RFC 5952 compressed lower-case IPv6 (no zone). */
export function formatIp(address: IpAddress): string {
	// parseIp drops zones, so there is none to strip here.
	return address.kind() === 'ipv6'
		? (address as ipaddr.IPv6).toRFC5952String()
		: address.toString();
}

/**
 * Parses `192.168.0.0/16`, `fd00::/8` or a bare address (a /32 or /128 block). An IPv4-mapped
 * IPv6 block of at least /96 is stored as the IPv4 block it describes.
 * @throws Error naming the entry when it is not a valid CIDR.
 */
export function parseCidr(text: string): Cidr {
	const entry = text.trim();
	const [addressText = '', prefixText, extra] = entry.split('/');
	const mappedV6 = addressText.includes(':') ? parseRawIPv6(addressText) : null;
	const address = mappedV6 ?? parseIp(addressText);
	if (!address || extra !== undefined) throw new Error(`invalid CIDR "${text}"`);
	const max = address.kind() === 'ipv4' ? 32 : 128;
	let prefix = max;
	if (prefixText !== undefined) {
		if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
			throw new Error(`invalid CIDR "${text}": prefix must be 0–${max}`);
		}
		prefix = Number(prefixText);
	}
	if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
		if (prefix < 96) return [address, prefix];
		return [(address as ipaddr.IPv6).toIPv4Address(), prefix - 96];
	}
	return [address, prefix];
}

/** IPv6 without unmapping (parseCidr needs the mapped form to adjust the prefix itself). */
function parseRawIPv6(text: string): ipaddr.IPv6 | null {
	if (!parseIp(text)) return null;
	return ipaddr.IPv6.parse(text.split('%', 1)[0] ?? '');
}

/**
 * Parses a `TRUSTED_PROXIES` value: comma- (or whitespace-) separated CIDRs; empty or unset → [].
 * @throws Error naming the first invalid entry (a typo must stop start-up, not silently trust
 *   no one).
 */
export function parseTrustedProxies(value: string | undefined): Cidr[] {
	if (!value) return [];
	return value
		.split(/[\s,]+/)
		.filter(Boolean)
		.map(parseCidr);
}

/** True when `address` lies in `cidr`. Families never match each other. */
export function cidrContains(cidr: Cidr, address: IpAddress): boolean {
	const [network, prefix] = cidr;
	if (network.kind() !== address.kind()) return false;
	return address.match(network, prefix);
}

/** True when `address` lies in any of `cidrs`. */
export function isTrusted(cidrs: readonly Cidr[], address: IpAddress): boolean {
	return cidrs.some((c) => cidrContains(c, address));
}

/**
 * True for loopback (127.0.0.0/8, ::1), RFC 1918 (10/8, 172.16/12, 192.168/16) and RFC 4193
 * unique-local (fc00::/7) addresses: what the local-network bypass counts as "local". Link-local,
 * carrier-grade NAT and everything else are not local.
 */
export function isLocalNetworkAddress(address: IpAddress): boolean {
	const range = address.range();
	return range === 'loopback' || range === 'private' || range === 'uniqueLocal';
}

/** Removes a port: `[2001:db8::1]:443` → `2001:db8::1`, `192.0.2.1:8080` → `192.0.2.1`. */
function stripPort(hop: string): string {
	const value = hop.trim();
	const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
	if (bracketed?.[1]) return bracketed[1];
	const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(value);
	return v4WithPort?.[1] ?? value;
}

/** Where a request came from, as far as can be known without believing a client. */
export interface ResolvedClient {
	/** The normalised client address (see `clientAddress`). */
	address: string;
	/** The parsed client address; null when the peer is not an IP address at all. */
	ip: IpAddress | null;
	/** The parsed socket peer; null when it is not an IP address (e.g. a Unix socket). */
	peer: IpAddress | null;
	/** True when the peer is one of `TRUSTED_PROXIES`. */
	peerTrusted: boolean;
	/** True when `address` was taken from `X-Forwarded-For` (the peer is a trusted proxy). */
	forwarded: boolean;
}

/**
 * Resolves the client of a request.
 * @param input.peer the socket peer address (`event.getClientAddress()`)
 * @param input.forwardedFor the `X-Forwarded-For` header, or null
 * @param input.trustedProxies parsed `TRUSTED_PROXIES`
 * @returns the peer, unless the peer is a trusted proxy, in which case the right-most
 *   `X-Forwarded-For` hop that is not a trusted proxy (or the left-most hop when all are trusted).
 *   A malformed hop stops the walk at the last good address. A peer that is not an IP address at
 *   all is returned unchanged, with `ip` null.
 */
export function resolveClient(input: {
	peer: string;
	forwardedFor: string | null;
	trustedProxies: readonly Cidr[];
}): ResolvedClient {
	const peer = parseIp(stripPort(input.peer));
	if (!peer) {
		return { address: input.peer, ip: null, peer: null, peerTrusted: false, forwarded: false };
	}
	const peerTrusted = isTrusted(input.trustedProxies, peer);
	let current = peer;
	let forwarded = false;
	if (peerTrusted && input.forwardedFor) {
		const hops = input.forwardedFor.split(',');
		for (let i = hops.length - 1; i >= 0; i--) {
			const hop = parseIp(stripPort(hops[i] ?? ''));
			if (!hop) break;
			current = hop;
			forwarded = true;
			if (!isTrusted(input.trustedProxies, hop)) break;
		}
	}
	return { address: formatIp(current), ip: current, peer, peerTrusted, forwarded };
}

/** The normalised client address alone (see `resolveClient`). */
export function clientAddress(input: {
	peer: string;
	forwardedFor: string | null;
	trustedProxies: readonly Cidr[];
}): string {
	return resolveClient(input).address;
}

let envProxies: { raw: string | undefined; cidrs: Cidr[] } | undefined;

/**
 * The list a SIGHUP put in force (`reloadTrustedProxies`), shared through `globalThis` because
 * this module has two copies in a running server: one in `scripts/serve.ts` (the forwarding) and
 * one bundled into the app (login throttling, the guard).
 */
interface ReloadedProxies {
	current: { raw: string; cidrs: Cidr[] } | null;
}
const reloaded: ReloadedProxies = ((
	globalThis as { __comradarrTrustedProxies?: ReloadedProxies }
).__comradarrTrustedProxies ??= { current: null });

/**
 * `TRUSTED_PROXIES` in force: the list the last SIGHUP reload put in force (see
 * `reloadTrustedProxies`), else the environment's, parsed once (re-parsed if the variable
 * changes). With an explicit `env`, that environment's list (tests, validation).
 * Callers read it per request, so a reload takes effect at the next request.
 * @throws Error naming an invalid entry.
 */
export function trustedProxiesFromEnv(env?: Record<string, string | undefined>): Cidr[] {
	if (env === undefined && reloaded.current) return reloaded.current.cidrs;
	const raw = (env ?? process.env).TRUSTED_PROXIES;
	if (!envProxies || envProxies.raw !== raw) {
		envProxies = { raw, cidrs: parseTrustedProxies(raw) };
	}
	return envProxies.cidrs;
}

/** The list as written, normalised for a log line: entries joined by ", ", or "none". */
function describeProxies(raw: string | undefined): string {
	const entries = (raw ?? '').split(/[\s,]+/).filter(Boolean);
	return entries.length > 0 ? entries.join(', ') : 'none';
}

/**
 * The SIGHUP reloader `trusted-proxies` (registered by runtime.ts): parses `env.TRUSTED_PROXIES`
 * and puts it in force for every later request (forwarding in `scripts/serve.ts`, the client
 * address of login throttling and the local-network bypass).
 * @returns `["trusted proxies 127.0.0.3 → 10.0.0.0/8"]`, or nothing when the list is the same
 * @throws Error naming the invalid entry; the list in force is kept then.
 */
export function reloadTrustedProxies(env: Record<string, string | undefined>): string[] {
	const raw = env.TRUSTED_PROXIES ?? '';
	const before = reloaded.current?.raw ?? process.env.TRUSTED_PROXIES ?? '';
	let cidrs: Cidr[];
	try {
		cidrs = parseTrustedProxies(raw);
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		throw new Error(`TRUSTED_PROXIES ${reason}; kept ${describeProxies(before)}`, {
			cause: error
		});
	}
	const from = describeProxies(before);
	const to = describeProxies(raw);
	reloaded.current = { raw, cidrs };
	return from === to ? [] : [`trusted proxies ${from} → ${to}`];
}

/**
 * The client of a SvelteKit request: the socket peer, or `X-Forwarded-For` behind a trusted
 * proxy.
 * @param trustedProxies defaults to `TRUSTED_PROXIES` in force (`trustedProxiesFromEnv()`).
 */
export function requestClient(
	event: Pick<RequestEvent, 'getClientAddress' | 'request'>,
	trustedProxies: readonly Cidr[] = trustedProxiesFromEnv()
): ResolvedClient {
	return resolveClient({
		peer: event.getClientAddress(),
		forwardedFor: event.request.headers.get('x-forwarded-for'),
		trustedProxies
	});
}

/** The client address of a SvelteKit request, using `TRUSTED_PROXIES` from the environment. */
export function requestClientAddress(
	event: Pick<RequestEvent, 'getClientAddress' | 'request'>
): string {
	return requestClient(event).address;
}
