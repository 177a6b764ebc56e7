/**
 * Which hosts a connector may point at. *arr apps live on the LAN and on loopback, so those are
 * allowed; link-local addresses (169.254.0.0/16 — cloud metadata services live at 169.254.169.254 —
 * and fe80::/10) and the unspecified addresses (0.0.0.0, ::) are refused, judged on every address
 * the host name resolves to (a name that resolves to a refused address is refused too).
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { ArrApiError } from './errors';

function ipv4Octets(address: string): number[] | null {
	if (!net.isIPv4(address)) return null;
	return address.split('.').map(Number);
}

/** Why an IP address is refused as a connector target, or null when it is allowed. */
export function refusedAddressReason(address: string): string | null {
	let ip = address.toLowerCase();
	const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
	if (mapped?.[1]) ip = mapped[1];
	const v4 = ipv4Octets(ip);
	if (v4) {
		if (v4.every((o) => o === 0)) return 'the unspecified address 0.0.0.0';
		if (v4[0] === 0) return 'an address in 0.0.0.0/8';
		if (v4[0] === 169 && v4[1] === 254) {
			return 'a link-local address (169.254.0.0/16, where cloud metadata services live)';
		}
		return null;
	}
	if (net.isIPv6(ip)) {
		if (ip === '::') return 'the unspecified address ::';
		if (/^fe[89ab]/.test(ip)) return 'a link-local address (fe80::/10)';
		if (ip === 'fd00:ec2::254') return 'a cloud metadata address';
		return null;
	}
	return null;
}

/**
 * Resolves `hostname` and refuses it when any address is link-local or unspecified.
 * @throws ArrApiError('unreachable') when the name does not resolve; ('bad_request') when refused.
 */
export async function assertAllowedHost(hostname: string): Promise<void> {
	const host = hostname.replace(/^\[|\]$/g, '');
	let addresses: string[];
	if (net.isIP(host)) {
		addresses = [host];
	} else {
		try {
			addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
		} catch (cause) {
			throw new ArrApiError('unreachable', `cannot resolve ${host}`, {}, { cause });
		}
	}
	for (const address of addresses) {
		const reason = refusedAddressReason(address);
		if (reason) {
			throw new ArrApiError('refused_address', `${host} resolves to ${address}, ${reason}`);
		}
	}
}
