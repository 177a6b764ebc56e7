/**
 * Server hooks: start the runtime once (database, admin bootstrap, scheduler), guard every request,
 * and turn unexpected errors into a generic message with a correlation id.
 */
import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { createInitialModeExpression } from 'mode-watcher';
import { bootstrapAdmin } from '$lib/server/auth/bootstrap';
import { getDb } from '$lib/server/db';
import { cachedHostPolicy } from '$lib/server/http/allowed-hosts';
import { createGuardHandle } from '$lib/server/http/guard';
import { createMaintenanceHandle } from '$lib/server/http/maintenance';
import { trustedProxiesFromEnv } from '$lib/server/http/client-address';
import { moduleLogger } from '$lib/server/logger';
import { startRuntime } from '$lib/server/runtime';
import { startScheduler } from '$lib/server/scheduler';
import { startRequestStatsFlush } from '$lib/server/services/connectors/request-stats';
import { startMetrics } from '$lib/server/services/metrics/registry';
import { startNotifications } from '$lib/server/services/notifications';
import { applyStoredLogLevel } from '$lib/server/services/settings/apply-settings';
import { THEME_CONFIG, THEME_SCRIPT_PLACEHOLDER } from '$lib/theme';

const log = moduleLogger('http');

export const init: ServerInit = async () => {
	// Fail at start-up, not at the first login, when TRUSTED_PROXIES or ALLOWED_HOSTS has a typo.
	trustedProxiesFromEnv();
	cachedHostPolicy();
	await startRuntime([
		bootstrapAdmin,
		applyStoredLogLevel,
		startMetrics,
		startNotifications,
		startScheduler,
		// Last: its shutdown flush runs after the scheduler stopped making requests.
		startRequestStatsFlush
	]);
};

const guard = createGuardHandle({ db: getDb });
/** mode-watcher's first-paint script, placed in app.html under the CSP nonce (src/lib/theme.ts). */
const themeScript = createInitialModeExpression(THEME_CONFIG);

const themedGuard: Handle = ({ event, resolve }) =>
	guard({
		event,
		resolve: (e, options) =>
			resolve(e, {
				...options,
				transformPageChunk: ({ html }) => html.replace(THEME_SCRIPT_PLACEHOLDER, themeScript)
			})
	});

// Maintenance first: during a restore the guard's session lookup would hit swapped tables.
export const handle: Handle = sequence(createMaintenanceHandle(), themedGuard);

export const handleError: HandleServerError = ({ error, event, status, message }) => {
	if (status === 404) return { message };
	const requestId = (event.locals as Partial<App.Locals>).requestId;
	log.error({ err: error, cid: requestId, path: event.url.pathname, status }, 'unhandled error');
	return status >= 500
		? { message: 'Internal error', code: 'internal' }
		: { message, code: `http.${status}` };
};
