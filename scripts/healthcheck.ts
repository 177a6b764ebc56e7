/**
 * The image's HEALTHCHECK: asks this container's own server for `/health` (under BASE_URL) and exits
 * 0 when it answers 2xx within 4 s, 1 otherwise (Docker marks the container unhealthy after the
 * configured retries).
 *
 * Environment: PORT (3000), BASE_URL (a path or a full URL whose path is used; see
 * src/lib/server/http/base-path.ts). Always asks 127.0.0.1: HOST may be 0.0.0.0 or a LAN address.
 */
import { basePathFromEnv } from '../src/lib/server/http/base-path';

const url = `http://127.0.0.1:${process.env.PORT || 3000}${basePathFromEnv()}/health`;
try {
	const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
	process.exit(response.ok ? 0 : 1);
} catch (error) {
	console.error(`healthcheck: ${url}: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
}
