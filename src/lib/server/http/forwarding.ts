/**
 * What `scripts/serve.ts` does to every request before svelte-adapter-bun's handler sees it:
 *
 * - **The socket peer reaches the app.** The request is rebuilt (its headers change), and Bun's
 *   `server.requestIP()` knows only the original request object (STACK.md trap 19). The handler
 *   gets a view of the server whose `requestIP(copy)` answers with the original's peer, so
 *   `event.getClientAddress()` is the real socket address — never a header a client could send.
 * - **Forwarding headers only from trusted proxies.** When the peer is not in `TRUSTED_PROXIES`,
 *   every `X-Forwarded-*`, `Forwarded` and `X-Real-IP` header (and the configured protocol, host
 *   and port headers) is removed and the protocol is set to `http`, the only one this server
 *   speaks. A trusted proxy's `X-Forwarded-Proto` is kept when it says `http` or `https` (the
 *   first entry of a list: the proxy nearest the client saw the client's scheme).
 *
 * Imported by `scripts/serve.ts` outside the SvelteKit build: no `$lib` imports here.
 */
import { routeUnderBase } from './base-path';
import { isTrusted, parseIp, type Cidr } from './client-address';

/** Headers that only a trusted proxy may set, besides the `x-forwarded-` family. */
const PROXY_ONLY_HEADERS = new Set(['forwarded', 'x-real-ip']);

/** The parts of Bun's server the adapter uses (`requestIP`; the rest passes through). */
type BunServer = Bun.Server<undefined>;

/** The adapter's request handler (`getHandler().fetch`). */
export type AdapterFetch = (request: Request, server: BunServer) => Response | Promise<Response>;

export interface ForwardingOptions {
	/** The adapter's handler. */
	handle: AdapterFetch;
	/**
	 * Parsed `TRUSTED_PROXIES`, or a function asked per request for the list in force (a SIGHUP
	 * may change it, client-address.ts `reloadTrustedProxies`).
	 */
	trustedProxies: readonly Cidr[] | (() => readonly Cidr[]);
	/** The header the adapter reads the protocol from (`PROTOCOL_HEADER`, lower case). */
	protocolHeader: string;
	/** Further header names (lower case) only a trusted proxy may send (`HOST_HEADER`…). */
	proxyOnlyHeaders?: readonly string[];
	/**
	 * `BASE_URL`, normalised (`base-path.ts`): requests under it reach the app without the prefix,
	 * the bare prefix is redirected to `prefix/`, everything else is 404. `''` serves at the root.
	 */
	basePath?: string;
}

/** The protocol a trusted proxy reports: `https` or `http`; anything else counts as `http`. */
export function forwardedProtocol(value: string | null): 'http' | 'https' {
	const first = value?.split(',')[0]?.trim().toLowerCase();
	return first === 'https' ? 'https' : 'http';
}

/**
 * The headers the app sees for a request from `peer`.
 * @param peerTrusted whether the socket peer is one of `TRUSTED_PROXIES`
 * @returns a copy of `headers`: from an untrusted peer without any forwarding header; in both
 *   cases with exactly one protocol header saying `http` or `https`.
 */
export function forwardedHeaders(
	headers: Headers,
	options: {
		peerTrusted: boolean;
		protocolHeader: string;
		proxyOnlyHeaders?: readonly string[] | undefined;
	}
): Headers {
	const result = new Headers(headers);
	const protocol = options.peerTrusted
		? forwardedProtocol(headers.get(options.protocolHeader))
		: 'http';
	if (!options.peerTrusted) {
		const extra = new Set(options.proxyOnlyHeaders ?? []);
		for (const name of [...result.keys()]) {
			if (name.startsWith('x-forwarded-') || PROXY_ONLY_HEADERS.has(name) || extra.has(name)) {
				result.delete(name);
			}
		}
	}
	result.set(options.protocolHeader, protocol);
	return result;
}

/**
 * Builds the `fetch` of `Bun.serve`: rewrites the forwarding headers as above and hands the
 * adapter a server view whose `requestIP` answers for the rewritten request.
 */
export function createForwardingFetch(
	options: ForwardingOptions
): (request: Request, server: BunServer) => Response | Promise<Response> {
	const peers = new WeakMap<Request, Bun.SocketAddress | null>();
	let view: BunServer | undefined;
	const viewOf = (server: BunServer): BunServer =>
		(view ??= new Proxy(server, {
			get(target, property) {
				if (property === 'requestIP') {
					return (request: Request) =>
						peers.has(request) ? (peers.get(request) ?? null) : target.requestIP(request);
				}
				const value: unknown = Reflect.get(target, property, target);
				return typeof value === 'function' ? value.bind(target) : value;
			}
		}));
	return (request, server) => {
		const socket = server.requestIP(request);
		const peer = socket ? parseIp(socket.address) : null;
		const proxies =
			typeof options.trustedProxies === 'function'
				? options.trustedProxies()
				: options.trustedProxies;
		const peerTrusted = peer !== null && isTrusted(proxies, peer);
		const headers = forwardedHeaders(request.headers, {
			peerTrusted,
			protocolHeader: options.protocolHeader,
			proxyOnlyHeaders: options.proxyOnlyHeaders
		});
		let target = request.url;
		const base = options.basePath ?? '';
		if (base) {
			const url = new URL(request.url);
			const route = routeUnderBase(url.pathname, base);
			if (route.kind === 'redirect') {
				return new Response(null, {
					status: 308,
					headers: { location: `${route.location}${url.search}` }
				});
			}
			if (route.kind === 'outside') {
				return new Response(`Not found. Comradarr is served under ${base}/ here.`, {
					status: 404,
					headers: { 'content-type': 'text/plain; charset=utf-8' }
				});
			}
			url.pathname = route.path;
			target = url.toString();
		}
		let forwarded = new Request(request, { headers });
		// Bun takes a Request as the init of another: method, headers and body carry over.
		if (target !== request.url) forwarded = new Request(target, forwarded);
		peers.set(forwarded, socket);
		return options.handle(forwarded, viewOf(server));
	};
}
