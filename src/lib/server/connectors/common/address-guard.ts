/**
 * Which hosts a connector may point at, and the addresses its requests go to.
 *
 * *arr apps live on the LAN and on loopback, so those are allowed. Refused: link-local addresses
 * (169.254.0.0/16, where the cloud metadata services of AWS, GCP, Azure, DigitalOcean… answer, and
 * fe80::/10), the unspecified addresses (0.0.0.0/8, ::), multicast and broadcast, and the metadata
 * addresses outside link-local: 100.100.100.200 (Alibaba Cloud), 168.63.129.16 (Azure WireServer),
 * 192.0.0.192 (Oracle Cloud) and fd00:ec2::254 (AWS IMDS over IPv6).
 *
 * Every spelling of an address is judged by the address it names: the URL parser already turns
 * decimal, octal and hex IPv4 (`http://2852039166/`, `http://0xa9.0xfe.0xa9.0xfe/`) into dotted
 * quads, and IPv6 that carries an IPv4 address (mapped `::ffff:a.b.c.d`, which WHATWG URL rewrites
 * to hex `::ffff:a9fe:a9fe`; compatible `::a.b.c.d`; translated `::ffff:0:a.b.c.d`; NAT64
 * `64:ff9b::/96` and the local-use `64:ff9b:1::/48`; 6to4 `2002::/16`; Teredo clients) is judged
 * on the IPv4 address inside it as well. Parsing is ipaddr.js's (STACK.md trap 21).
 *
 * A host name is resolved once, every answer is checked, and the checked addresses are what the
 * HTTP client connects to (http.ts), so a DNS answer that changes between the check and the
 * request (DNS rebinding) cannot redirect the request.
 */
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { ArrApiError } from './errors';

/**
 * Resolves a host name to its IP addresses (any spelling ipaddr.js parses), in the order to try.
 * @throws when the name does not resolve.
 */
export type Resolver = (hostname: string) => Promise<string[]>;

/** The system resolver (getaddrinfo, so /etc/hosts and Docker's DNS apply), in its own order. */
export const systemResolver: Resolver = async (hostname) =>
	(await lookup(hostname, { all: true, verbatim: true })).map((answer) => answer.address);

type Address = ipaddr.IPv4 | ipaddr.IPv6;

const LINK_LOCAL_V4 = 'a link-local address (169.254.0.0/16, where cloud metadata services live)';

/** Metadata services outside the link-local ranges (each cloud's documentation). */
const METADATA: ReadonlyMap<string, string> = new Map([
	['100.100.100.200', 'the Alibaba Cloud metadata address'],
	['168.63.129.16', 'the Azure WireServer address'],
	['192.0.0.192', 'the Oracle Cloud metadata address'],
	['fd00:ec2::254', 'the AWS metadata address (IPv6)']
]);

function v4FromParts(high: number, low: number): ipaddr.IPv4 {
	return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/**
 * The IPv4 address RFC 6052 §2.2 embeds after a NAT64 prefix of `prefixLength` bits (bits 64–71,
 * the "u" octet, are skipped).
 */
function rfc6052Embedded(bytes: number[], prefixLength: 48 | 56 | 64 | 96): ipaddr.IPv4 {
	const withoutU = [...bytes.slice(0, 8), ...bytes.slice(9)];
	const start = prefixLength === 96 ? 12 : prefixLength / 8;
	const octets = prefixLength === 96 ? bytes.slice(12, 16) : withoutU.slice(start, start + 4);
	return new ipaddr.IPv4(octets);
}

/**
 * The IPv4 addresses an IPv6 address carries, by the standard layouts: mapped and translated
 * (RFC 4291, 6145), compatible (deprecated, RFC 4291 §2.5.5.1), NAT64 (RFC 6052; for the
 * local-use prefix of RFC 8215 every prefix length its /48 allows), 6to4 (RFC 3056) and the
 * Teredo client (RFC 4380, stored inverted).
 */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4[] {
	const p = address.parts;
	const bytes = address.toByteArray();
	switch (address.range()) {
		case 'ipv4Mapped':
			return [address.toIPv4Address()];
		case 'rfc6145':
			return [v4FromParts(p[6]!, p[7]!)];
		case 'rfc6052':
			return p[2] === 0
				? [v4FromParts(p[6]!, p[7]!)]
				: ([48, 56, 64, 96] as const).map((length) => rfc6052Embedded(bytes, length));
		case '6to4':
			return [v4FromParts(p[1]!, p[2]!)];
		case 'teredo':
			return [v4FromParts(p[6]! ^ 0xffff, p[7]! ^ 0xffff)];
		default:
			break;
	}
	// ::a.b.c.d, but not :: (unspecified) or ::1 (loopback).
	if (p.slice(0, 6).every((part) => part === 0) && (p[6] !== 0 || p[7]! > 1)) {
		return [v4FromParts(p[6]!, p[7]!)];
	}
	return [];
}

function refusedV4(address: ipaddr.IPv4): string | null {
	const metadata = METADATA.get(address.toString());
	if (metadata) return metadata;
	switch (address.range()) {
		case 'unspecified':
			return address.toString() === '0.0.0.0'
				? 'the unspecified address 0.0.0.0'
				: 'an address in 0.0.0.0/8 (this network)';
		case 'linkLocal':
			return LINK_LOCAL_V4;
		case 'multicast':
			return 'a multicast address (224.0.0.0/4)';
		case 'broadcast':
			return 'the broadcast address';
		default:
			return null;
	}
}

function refusedV6(address: ipaddr.IPv6): string | null {
	const metadata = METADATA.get(address.toString());
	if (metadata) return metadata;
	switch (address.range()) {
		case 'unspecified':
			return 'the unspecified address ::';
		case 'linkLocal':
			return 'a link-local address (fe80::/10)';
		case 'multicast':
			return 'a multicast address (ff00::/8)';
		default:
			return null;
	}
}

/** Parses any spelling ipaddr.js accepts (brackets allowed); null when it is not an IP address. */
export function parseAddress(text: string): Address | null {
	const bare = text.replace(/^\[|\]$/g, '');
	if (!ipaddr.isValid(bare)) return null;
	try {
		return ipaddr.parse(bare);
	} catch {
		return null;
	}
}

/**
 * Why an IP address is refused as a connector target, or null when it is allowed. For an IPv6
 * address carrying an IPv4 one, the reason names the IPv4 address: "169.254.169.254, a link-local
 * address …".
 * @param address any spelling ipaddr.js parses; a string that is no IP address is not refused here
 *   (host names are judged by what they resolve to, `checkHost`).
 */
export function refusedAddressReason(address: string): string | null {
	const parsed = parseAddress(address);
	if (!parsed) return null;
	if (parsed.kind() === 'ipv4') return refusedV4(parsed as ipaddr.IPv4);
	const v6 = parsed as ipaddr.IPv6;
	const own = refusedV6(v6);
	if (own) return own;
	for (const inner of embeddedIPv4(v6)) {
		const reason = refusedV4(inner);
		if (reason) return `${inner.toString()}, ${reason}`;
	}
	return null;
}

/** A host that passed the check, with the addresses requests may connect to. */
export interface CheckedHost {
	/** The host as in the URL, without IPv6 brackets (`nas.lan`, `192.168.1.10`, `::1`). */
	hostname: string;
	/** Whether `hostname` is itself an IP address (no DNS, no TLS server name). */
	isAddress: boolean;
	/** Every address the host resolved to, all allowed, in the resolver's order; never empty. */
	addresses: string[];
}

/**
 * Resolves `hostname` once with `resolve` and checks every answer.
 * @param hostname a URL's `hostname` (IPv6 in brackets is fine).
 * @param resolve the resolver (injected so tests can answer like a rebinding DNS server would).
 * @throws ArrApiError('unreachable') when the name does not resolve or resolves to nothing;
 *   ArrApiError('refused_address') naming the first refused answer, e.g. "metadata.internal
 *   resolves to 169.254.169.254, a link-local address (…)".
 */
export async function checkHost(
	hostname: string,
	resolve: Resolver = systemResolver
): Promise<CheckedHost> {
	const host = hostname.replace(/^\[|\]$/g, '');
	const literal = parseAddress(host);
	if (literal) {
		const reason = refusedAddressReason(host);
		if (reason) {
			throw new ArrApiError('refused_address', `${host} is ${reason}`);
		}
		return { hostname: host, isAddress: true, addresses: [normalised(literal)] };
	}
	let answers: string[];
	try {
		answers = await resolve(host);
	} catch (cause) {
		throw new ArrApiError('unreachable', `cannot resolve ${host}`, {}, { cause });
	}
	const addresses: string[] = [];
	for (const answer of answers) {
		const parsed = parseAddress(answer);
		if (!parsed) {
			throw new ArrApiError('unreachable', `${host} resolved to ${answer}, which is no IP address`);
		}
		const reason = refusedAddressReason(answer);
		if (reason) {
			throw new ArrApiError('refused_address', `${host} resolves to ${answer}, ${reason}`);
		}
		addresses.push(normalised(parsed));
	}
	if (addresses.length === 0) throw new ArrApiError('unreachable', `${host} resolves to nothing`);
	return { hostname: host, isAddress: false, addresses };
}

/** The canonical text of an address, IPv4-mapped IPv6 unmapped (`::ffff:a00:1` → `10.0.0.1`). */
function normalised(address: Address): string {
	return ipaddr.process(address.toString()).toString();
}

/**
 * Resolves and checks `hostname`, for callers that only need the verdict.
 * @throws as `checkHost`.
 */
export async function assertAllowedHost(
	hostname: string,
	resolve: Resolver = systemResolver
): Promise<void> {
	await checkHost(hostname, resolve);
}
