import { json } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { apiError, withApi } from '$lib/server/http/api';
import { requireFullAccess } from '$lib/server/api/database-routes';
import { exportConfig, exportFileName } from '$lib/server/services/config-transfer';
import type { RequestHandler } from './$types';

/**
 * `GET /api/v1/config/export[?secrets=encrypted]`: the configuration as a JSON download. *arr
 * API keys are left out unless `secrets=encrypted`; then they are encrypted under this
 * instance's SECRET_KEY (only an instance with the same key can use them; not for read-only API
 * keys).
 */
export const GET: RequestHandler = withApi(async ({ url, locals }) => {
	const secrets = url.searchParams.get('secrets') ?? 'none';
	if (secrets !== 'none' && secrets !== 'encrypted') {
		apiError(400, 'validation.failed', 'secrets must be "none" or "encrypted".', {
			secrets: 'Use none or encrypted.'
		});
	}
	if (secrets === 'encrypted') requireFullAccess(locals, 'export encrypted API keys');
	const runtime = await getRuntime();
	const now = new Date();
	const { file, warnings } = await exportConfig({
		db: runtime.db,
		secrets: runtime.secrets,
		includeSecrets: secrets === 'encrypted',
		clock: () => now
	});
	return json(file, {
		headers: {
			'content-disposition': `attachment; filename="${exportFileName(now)}"`,
			'cache-control': 'no-store',
			...(warnings.length > 0 ? { 'x-comradarr-warnings': String(warnings.length) } : {})
		}
	});
});
