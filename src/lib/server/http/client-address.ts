/**
 * The client address of a request, for login throttling and logs.
 *
 * Never authenticate or throttle by a header anyone can send (DESIGN.md pitfalls; Sonarr
 * CVE-2026-30975). The address is the socket peer (`event.getClientAddress()`); `X-Forwarded-For`
 * is read only when `TRUSTED_PROXIES` (comma-separated CIDRs or bare addresses, IPv4 or IPv6) is
 * configured and the peer is one of them. Then the header is walked from the right, skipping
 * trusted proxies, and the first untrusted hop is the client: entries further left were written
 * by the client itself and prove nothing.
 */
import type { RequestEvent } from '@sveltejs/kit';

/** A parsed CIDR block. IPv4-mapped IPv6 blocks are stored as IPv4. */
export interface Cidr {
	/** 4 bytes for IPv4, 16 for IPv6. */
	bytes: Uint8Array;
	/** Prefix length in bits (0–32 or 0–128). */
	prefix: number;
}

function parseIPv4(text: string): Uint8Array | null {
	const parts = text.split('.');
	if (parts.length !== 4) return null;
	const bytes = new Uint8Array(4);
	for (const [i, part] of parts.entries()) {
		// No leading zeros: "010" is octal to some parsers and decimal to others.
		if (!/^(0|[1-9]\d{0,2})$/.test(part)) return null;
		const n = Number(part);
		if (n > 255) return null;
		bytes[i] = n;
	}
	return bytes;
}

function parseIPv6(text: string): Uint8Array | null {
	const halves = text.split('::');
	if (halves.length > 2) return null;
	const groups = (half: string | undefined): string[] => (half ? half.split(':') : []);
	const head = groups(halves[0]);
	const tail = halves.length === 2 ? groups(halves[1]) : [];
	const words: number[] = [];
	let v4: Uint8Array | null = null;
	const last = (halves.length === 2 ? tail : head).at(-1);
	if (last?.includes('.')) {
		v4 = parseIPv4(last);
		if (!v4) return null;
		(halves.length === 2 ? tail : head).pop();
	}
	for (const g of [...head, ...tail]) if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
	const explicit = head.length + tail.length + (v4 ? 2 : 0);
	if (halves.length === 2 ? explicit > 7 : explicit !== 8) return null;
	for (const g of head) words.push(parseInt(g, 16));
	if (halves.length === 2) for (let i = explicit; i < 8; i++) words.push(0);
	for (const g of tail) words.push(parseInt(g, 16));
	const bytes = new Uint8Array(16);
	words.forEach((w, i) => {
		bytes[i * 2] = w >> 8;
		bytes[i * 2 + 1] = w & 0xff;
	});
	if (v4) bytes.set(v4, 12);
	return bytes;
}

function isV4Mapped(bytes: Uint8Array): boolean {
	return (
		bytes.length === 16 &&
		bytes.subarray(0, 10).every((b) => b === 0) &&
		bytes[10] === 0xff &&
		bytes[11] === 0xff
	);
}

/**
 * Parses an IPv4 or IPv6 address (an IPv6 zone suffix such as `%eth0` is ignored).
 * IPv4-mapped IPv6 (`::ffff:192.0.2.1`, as dual-stack sockets report IPv4 peers) becomes IPv4.
 * @returns 4 or 16 bytes, or null when `text` is not an address.
 */
export function parseIp(text: string): Uint8Array | null {
	const value = text.trim();
	if (value.includes(':')) {
		const bytes = parseIPv6(value.split('%')[0] ?? '');
		if (!bytes) return null;
		return isV4Mapped(bytes) ? bytes.slice(12) : bytes;
	}
	return parseIPv4(value);
}

/** Formats parsed bytes: dotted IPv4, or RFC 5952 compressed lower-case IPv6. */
export function formatIp(bytes: Uint8Array): string {
	if (bytes.length === 4) return Array.from(bytes).join('.');
	const words: number[] = [];
	for (let i = 0; i < 16; i += 2) words.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
	// Longest run (≥ 2) of zero words becomes "::"; the first one wins a tie.
	let bestStart = -1;
	let bestLen = 1;
	for (let i = 0; i < 8;) {
		if (words[i] !== 0) {
			i++;
			continue;
		}
		let j = i;
		while (j < 8 && words[j] === 0) j++;
		if (j - i > bestLen) {
			bestStart = i;
			bestLen = j - i;
		}
		i = j;
	}
	const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
	if (bestStart < 0) return hex(words);
	return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

/**
 * Parses `192.168.0.0/16`, `fd00::/8` or a bare address (a /32 or /128 block).
 * @throws Error naming the entry when it is not a valid CIDR.
 */
export function parseCidr(text: string): Cidr {
	const [addr = '', prefixText, extra] = text.trim().split('/');
	let bytes = parseIPv6OrV4Raw(addr);
	if (!bytes || extra !== undefined) throw new Error(`invalid CIDR "${text}"`);
	const max = bytes.length * 8;
	let prefix = max;
	if (prefixText !== undefined) {
		if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
			throw new Error(`invalid CIDR "${text}": prefix must be 0–${max}`);
		}
		prefix = Number(prefixText);
	}
	if (isV4Mapped(bytes) && prefix >= 96) {
		bytes = bytes.slice(12);
		prefix -= 96;
	}
	return { bytes, prefix };
}

/** Like parseIp but keeps IPv4-mapped IPv6 as 16 bytes (parseCidr adjusts the prefix itself). */
function parseIPv6OrV4Raw(text: string): Uint8Array | null {
	return text.includes(':') ? parseIPv6(text.split('%')[0] ?? '') : parseIPv4(text);
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

/** True when `address` (parsed) lies in `cidr`. Families never match each other. */
export function cidrContains(cidr: Cidr, address: Uint8Array): boolean {
	if (cidr.bytes.length !== address.length) return false;
	const full = Math.floor(cidr.prefix / 8);
	for (let i = 0; i < full; i++) if (cidr.bytes[i] !== address[i]) return false;
	const rest = cidr.prefix % 8;
	if (rest === 0) return true;
	const mask = (0xff << (8 - rest)) & 0xff;
	return ((cidr.bytes[full] ?? 0) & mask) === ((address[full] ?? 0) & mask);
}

/** True when `address` lies in any of `cidrs`. */
export function isTrusted(cidrs: readonly Cidr[], address: Uint8Array): boolean {
	return cidrs.some((c) => cidrContains(c, address));
}

/** Removes a port: `[2001:db8::1]:443` → `2001:db8::1`, `192.0.2.1:8080` → `192.0.2.1`. */
function stripPort(hop: string): string {
	const value = hop.trim();
	const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
	if (bracketed?.[1]) return bracketed[1];
	const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(value);
	return v4WithPort?.[1] ?? value;
}

/**
 * The client address of a request.
 * @param input.peer the socket peer address (`event.getClientAddress()`)
 * @param input.forwardedFor the `X-Forwarded-For` header, or null
 * @param input.trustedProxies parsed `TRUSTED_PROXIES`
 * @returns the normalised address: the peer, unless the peer is a trusted proxy, in which case the
 *   right-most `X-Forwarded-For` hop that is not a trusted proxy (or the left-most hop when all are
 *   trusted). A malformed hop stops the walk at the last good address. A peer that is not an IP
 *   address at all is returned unchanged.
 */
export function clientAddress(input: {
	peer: string;
	forwardedFor: string | null;
	trustedProxies: readonly Cidr[];
}): string {
	const peer = parseIp(stripPort(input.peer));
	if (!peer) return input.peer;
	const proxies = input.trustedProxies;
	if (proxies.length === 0 || !input.forwardedFor || !isTrusted(proxies, peer)) {
		return formatIp(peer);
	}
	let current = peer;
	const hops = input.forwardedFor.split(',');
	for (let i = hops.length - 1; i >= 0; i--) {
		const hop = parseIp(stripPort(hops[i] ?? ''));
		if (!hop) break;
		current = hop;
		if (!isTrusted(input.trustedProxies, hop)) break;
	}
	return formatIp(current);
}

let envProxies: { raw: string | undefined; cidrs: Cidr[] } | undefined;

/**
 * `TRUSTED_PROXIES` from the environment, parsed once (re-parsed if the variable changes).
 * @throws Error naming an invalid entry.
 */
export function trustedProxiesFromEnv(
	env: Record<string, string | undefined> = process.env
): Cidr[] {
	const raw = env.TRUSTED_PROXIES;
	if (!envProxies || envProxies.raw !== raw) {
		envProxies = { raw, cidrs: parseTrustedProxies(raw) };
	}
	return envProxies.cidrs;
}

/** The client address of a SvelteKit request, using `TRUSTED_PROXIES` from the environment. */
export function requestClientAddress(
	event: Pick<RequestEvent, 'getClientAddress' | 'request'>
): string {
	return clientAddress({
		peer: event.getClientAddress(),
		forwardedFor: event.request.headers.get('x-forwarded-for'),
		trustedProxies: trustedProxiesFromEnv()
	});
}
