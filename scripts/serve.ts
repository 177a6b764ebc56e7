/**
 * Production entry point: serves the built app (svelte-adapter-bun's handler) with Bun.serve.
 *
 * Why not the adapter's own build/index.js: without ORIGIN it assumes every request came over
 * https, so on a plain-http LAN address (the usual homelab case) the session cookie is marked
 * Secure and dropped by the browser, and every form post fails the CSRF origin check. Here the
 * protocol is taken from `X-Forwarded-Proto` when a reverse proxy sets it, else from this server
 * itself (plain http). Set ORIGIN to pin the public URL instead.
 *
 * Environment: PORT (3000), HOST (0.0.0.0), ORIGIN, BODY_SIZE_LIMIT (512K), IDLE_TIMEOUT (10 s);
 * the adapter reads ADDRESS_HEADER / XFF_DEPTH as documented by svelte-adapter-bun.
 */
import path from 'node:path';

process.env.PROTOCOL_HEADER ||= 'x-forwarded-proto';
const protocolHeader = process.env.PROTOCOL_HEADER.toLowerCase();

const buildDir = path.resolve(import.meta.dir, '../build');
const { getHandler } = (await import(path.join(buildDir, 'handler.js'))) as {
	getHandler: () => {
		fetch: (request: Request, server: Bun.Server<undefined>) => Response | Promise<Response>;
	};
};
const { fetch: handle } = getHandler();

const server = Bun.serve({
	hostname: process.env.HOST || '0.0.0.0',
	port: Number(process.env.PORT || 3000),
	idleTimeout: Number(process.env.IDLE_TIMEOUT || 10),
	maxRequestBodySize: 512 * 1024,
	fetch(request, srv) {
		if (!request.headers.has(protocolHeader)) {
			// This server speaks plain http; a TLS-terminating proxy says otherwise in the header.
			const headers = new Headers(request.headers);
			headers.set(protocolHeader, 'http');
			request = new Request(request, { headers });
		}
		return handle(request, srv);
	}
});
console.log(`Listening on ${server.url}`);

let stopping = false;
async function shutdown(reason: string): Promise<void> {
	if (stopping) return;
	stopping = true;
	// The app's runtime stops its jobs and the embedded PostgreSQL on this event (runtime.ts).
	process.emit('sveltekit:shutdown' as 'SIGTERM', reason as unknown as NodeJS.Signals);
	await server.stop(true);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
