import { getDb } from '$lib/server/db';
import { errorResponse } from '$lib/server/http/api';
import { authorizeScrape } from '$lib/server/services/metrics/auth';
import { appMetrics, METRICS_CONTENT_TYPE } from '$lib/server/services/metrics/registry';
import { metricsTokenState } from '$lib/server/services/metrics/token';
import type { RequestHandler } from './$types';

/**
 * GET /metrics: the Prometheus text exposition format (version 0.0.4) for a request bearing
 * `Authorization: Bearer <METRICS_TOKEN>` or a signed-in user; 404 `metrics.disabled` to a
 * signed-in user while no token is configured; 401 `metrics.unauthorized` otherwise, also to a
 * bearer while off (services/metrics/auth.ts). Errors are
 * the API's `{error: {code, message}}`.
 */
export const GET: RequestHandler = async ({ request, locals }) => {
	const decision = authorizeScrape(metricsTokenState(), {
		authorization: request.headers.get('authorization'),
		signedIn: locals.user !== null
	});
	if (!decision.allowed) {
		const headers: Record<string, string> =
			decision.status === 401 ? { 'www-authenticate': 'Bearer realm="comradarr metrics"' } : {};
		return errorResponse(decision.status, decision.code, decision.message, undefined, headers);
	}
	const body = await appMetrics(getDb()).scrape();
	return new Response(body, {
		headers: { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' }
	});
};
