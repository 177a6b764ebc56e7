/**
 * Which `Host` names the app answers to where a browser gets in without a credential of its own:
 * `/setup` and `/login`, and every request let in by the local-network bypass, the reverse-proxy
 * header or the `disabled` mode.
 *
 * Why: DNS rebinding. A page on `rebind.example` that re-resolves its own name to the user's
 * Comradarr is same-origin with it in the browser (its `Origin` matches `Host`, so every CSRF
 * check passes). It carries no session cookie of ours — but a fresh install's `/setup`, a login
 * form, or a mode that trusts the network need none. Allowed are exactly:
 *
 * - IP literals (`192.168.1.10`, `[::1]`): no DNS involved, nothing to rebind;
 * - `localhost`;
 * - the host of `ORIGIN`;
 * - the names in `ALLOWED_HOSTS` (comma-separated; `.example.com` allows example.com and every
 *   name below it).
 *
 * Names compare case-insensitively, without port and without a trailing dot.
 */
import { parseIp } from './client-address';

/** The configured names: exact ones and `.suffix` ones (stored without the leading dot). */
export interface HostPolicy {
	exact: ReadonlySet<string>;
	suffixes: readonly string[];
}

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
/** A `Host` header as browsers send it: a name or IPv4 literal, or a bracketed IPv6 one; a port. */
const HOST_HEADER = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9._-]+))(?::(\d{1,5}))?$/;

function normaliseName(name: string): string {
	const lower = name.trim().toLowerCase();
	return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/**
 * Parses an `ALLOWED_HOSTS` value (comma- or whitespace-separated host names, optionally with a
 * leading dot for "and below"); unset or empty → none.
 * @throws Error naming the first entry that is not a host name (a port, a scheme, a `*`…), so a
 *   typo stops start-up instead of locking the owner out of /login.
 */
export function parseAllowedHosts(value: string | undefined): HostPolicy {
	const exact = new Set<string>();
	const suffixes: string[] = [];
	for (const entry of (value ?? '').split(/[\s,]+/).filter(Boolean)) {
		const suffix = entry.startsWith('.');
		const name = normaliseName(suffix ? entry.slice(1) : entry);
		if (!HOST_NAME.test(name)) {
			throw new Error(
				`invalid ALLOWED_HOSTS entry "${entry}": use host names only (nas.lan, .home.arpa), without scheme, port or *`
			);
		}
		if (suffix) suffixes.push(name);
		else exact.add(name);
	}
	return { exact, suffixes };
}

/**
 * The policy from the environment: `ALLOWED_HOSTS` plus the host of `ORIGIN`.
 * @throws Error for an invalid `ALLOWED_HOSTS` entry or an `ORIGIN` that is not a URL.
 */
export function hostPolicyFromEnv(
	env: Record<string, string | undefined> = process.env
): HostPolicy {
	const policy = parseAllowedHosts(env.ALLOWED_HOSTS);
	if (!env.ORIGIN) return policy;
	let origin: URL;
	try {
		origin = new URL(env.ORIGIN);
	} catch {
		throw new Error(
			`invalid ORIGIN "${env.ORIGIN}": expected a URL such as https://comradarr.example.com`
		);
	}
	const exact = new Set(policy.exact);
	exact.add(normaliseName(origin.hostname.replace(/^\[|\]$/g, '')));
	return { exact, suffixes: policy.suffixes };
}

let cached: { key: string; policy: HostPolicy } | undefined;

/** `hostPolicyFromEnv()` parsed once (again when the variables change). */
export function cachedHostPolicy(
	env: Record<string, string | undefined> = process.env
): HostPolicy {
	const key = `${env.ALLOWED_HOSTS ?? ''}\n${env.ORIGIN ?? ''}`;
	if (cached?.key !== key) cached = { key, policy: hostPolicyFromEnv(env) };
	return cached.policy;
}

/**
 * The host name of a `Host` header: lower case, without port, brackets or trailing dot.
 * @returns null when the header is not a plain host (user info, a path, odd characters…).
 */
export function hostNameOf(host: string): string | null {
	const match = HOST_HEADER.exec(host.trim().toLowerCase());
	if (!match) return null;
	const name = match[1] ?? match[2] ?? '';
	return normaliseName(name) || null;
}

/** True when the host name is an IP literal (IPv4 dotted quad or IPv6). */
function isIpLiteral(name: string): boolean {
	return parseIp(name) !== null;
}

/**
 * Whether requests for `host` (a `Host` header value) may be answered by /setup and /login.
 * @returns false for an empty or malformed header.
 */
export function isAllowedHost(host: string | null, policy: HostPolicy): boolean {
	const name = host ? hostNameOf(host) : null;
	if (!name) return false;
	if (name === 'localhost' || isIpLiteral(name) || policy.exact.has(name)) return true;
	return policy.suffixes.some((suffix) => name === suffix || name.endsWith(`.${suffix}`));
}
