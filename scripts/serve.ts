/**
 * Production entry point: serves the built app (svelte-adapter-bun's handler) with Bun.serve.
 *
 * Why not the adapter's own build/index.js: without ORIGIN it assumes every request came over
 * https, so on a plain-http LAN address (the usual homelab case) the session cookie is marked
 * Secure and dropped by the browser, and every form post fails the CSRF origin check. Here every
 * request goes through `createForwardingFetch` (src/lib/server/http/forwarding.ts): the protocol
 * is plain http unless a proxy in TRUSTED_PROXIES says https in `X-Forwarded-Proto`, forwarding
 * headers from anyone else are removed, and the socket peer address reaches
 * `event.getClientAddress()`. Set ORIGIN to pin the public URL instead.
 *
 * Environment: PORT (3000), HOST (0.0.0.0), ORIGIN, BASE_URL (a sub-path such as /comradarr, see
 * src/lib/server/http/base-path.ts), TRUSTED_PROXIES, IDLE_TIMEOUT (10 s);
 * PROTOCOL_HEADER / HOST_HEADER / PORT_HEADER as documented by svelte-adapter-bun (believed only
 * from trusted proxies). ADDRESS_HEADER is refused: the client address comes from the socket,
 * and from `X-Forwarded-For` only behind TRUSTED_PROXIES.
 *
 * Shutdown: the app's runtime (src/lib/server/runtime.ts) owns SIGTERM / SIGINT. Its first phase
 * calls the stopper this file leaves in `globalThis.__comradarrHttp`: the listener closes at once
 * (new connections are refused) and the requests in flight are answered, for at most
 * `IDLE_TIMEOUT` seconds (a response that has not started by then is cut by Bun anyway, STACK.md
 * trap 18), then the remaining connections are closed. SIGHUP is handled by the runtime too
 * (configuration reload); `TRUSTED_PROXIES` is read per request, so a reload takes effect at once.
 *
 * `serve()` is exported for the e2e suite, which wraps the handler to record every response
 * (tests/e2e/recording-server.ts); run as a script, this file serves right away.
 */
import path from 'node:path';
import { basePathFromEnv } from '../src/lib/server/http/base-path';
import { trustedProxiesFromEnv } from '../src/lib/server/http/client-address';
import { createForwardingFetch, type AdapterFetch } from '../src/lib/server/http/forwarding';

export interface ServeOptions {
	/** Wraps the adapter's handler (the e2e suite records responses this way). */
	wrap?: (handle: AdapterFetch) => AdapterFetch;
}

/**
 * Checks the environment, loads the build and starts serving; SIGTERM / SIGINT stop it.
 * Exits the process with status 1 on a configuration error (ADDRESS_HEADER, a bad BASE_URL or
 * TRUSTED_PROXIES entry), saying what to change.
 */
export async function serve(options: ServeOptions = {}): Promise<Bun.Server<undefined>> {
	if (process.env.ADDRESS_HEADER) {
		// The adapter would take the client address from that header, from anyone: login throttling
		// and the local-network bypass would believe whatever a client sends.
		console.error(
			'ADDRESS_HEADER is not supported: list your reverse proxies in TRUSTED_PROXIES instead ' +
				'(X-Forwarded-For is then read from them only).'
		);
		process.exit(1);
	}
	process.env.PROTOCOL_HEADER ||= 'x-forwarded-proto';
	const protocolHeader = process.env.PROTOCOL_HEADER.toLowerCase();
	const proxyOnlyHeaders = [process.env.HOST_HEADER, process.env.PORT_HEADER]
		.filter((name): name is string => Boolean(name))
		.map((name) => name.toLowerCase());
	let basePath: string;
	try {
		basePath = basePathFromEnv();
		// A typo in TRUSTED_PROXIES stops start-up here (parseTrustedProxies throws naming the entry).
		trustedProxiesFromEnv();
	} catch (error) {
		console.error(error instanceof Error ? error.message : String(error));
		process.exit(1);
	}

	const buildDir = path.resolve(import.meta.dir, '../build');
	const { getHandler } = (await import(path.join(buildDir, 'handler.js'))) as {
		getHandler: () => { fetch: AdapterFetch };
	};
	const adapterFetch = getHandler().fetch;

	const server = Bun.serve({
		hostname: process.env.HOST || '0.0.0.0',
		port: Number(process.env.PORT || 3000),
		idleTimeout: Number(process.env.IDLE_TIMEOUT || 10),
		maxRequestBodySize: 512 * 1024,
		fetch: createForwardingFetch({
			handle: options.wrap ? options.wrap(adapterFetch) : adapterFetch,
			// Per request: a SIGHUP may have put another list in force (client-address.ts).
			trustedProxies: () => trustedProxiesFromEnv(),
			protocolHeader,
			proxyOnlyHeaders,
			basePath
		})
	});
	console.log(`Listening on ${server.url.origin}${basePath}/`);

	const idleSeconds = Number(process.env.IDLE_TIMEOUT || 10);
	let stopped: Promise<void> | undefined;
	const stopHttp = (): Promise<void> =>
		(stopped ??= (async () => {
			let timer: ReturnType<typeof setTimeout> | undefined;
			// stop(false): no new connection from now on; resolves once the requests in flight ended.
			const answered = server.stop(false).then(() => 'answered' as const);
			const late = new Promise<'late'>(
				(resolve) => (timer = setTimeout(() => resolve('late'), (idleSeconds + 1) * 1000))
			);
			const how = await Promise.race([answered, late]);
			clearTimeout(timer);
			if (how === 'late') await server.stop(true);
		})());
	// The runtime's shutdown calls this first (src/lib/server/runtime.ts, `HttpStopper`).
	(globalThis as { __comradarrHttp?: { stop(): Promise<void> } }).__comradarrHttp = {
		stop: stopHttp
	};
	// The runtime exits the process once everything is stopped; only without one (its start
	// failed) does this file stop the server and exit by itself.
	const fallback = (): void => {
		if (process.listenerCount('SIGTERM') > 1) return;
		void stopHttp().then(() => process.exit(0));
	};
	process.on('SIGTERM', fallback);
	process.on('SIGINT', fallback);
	return server;
}

if (import.meta.main) await serve();
