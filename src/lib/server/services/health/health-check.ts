/**
 * The periodic health check of one connector: `GET /ping`, then `GET /api/v3/system/status`
 * (version and app identity, stored) and `GET /api/v3/health` (the app's own warnings, stored and
 * shown). See health-state.ts for the states. Runs for paused connectors too: that is how they
 * resume by themselves.
 */
import { eq } from 'drizzle-orm';
import type { Database } from '../../db';
import { connectors, type Connector, type HealthState } from '../../db/schema';
import { ArrApiError, EXPECTED_APP_NAME, clientFor } from '../../connectors';
import type { SecretBox } from '../../crypto/secrets';
import { recordFailure, recordSuccess } from './health-state';

export interface HealthCheckResult {
	connectorId: number;
	state: HealthState | null;
}

export async function checkConnectorHealth(deps: {
	db: Database;
	secrets: SecretBox;
	connector: Connector;
	clock?: () => Date;
}): Promise<HealthCheckResult> {
	const { db, connector } = deps;
	const now = (deps.clock ?? (() => new Date()))();
	const client = clientFor(connector, deps.secrets, {
		retries: 1,
		timeoutMs: Math.min(connector.timeoutMs, 15_000)
	});
	try {
		const alive = await client.ping();
		if (!alive) {
			throw new ArrApiError('invalid_response', 'GET /ping did not answer {"status":"OK"}');
		}
		const status = await client.getSystemStatus();
		const expected = EXPECTED_APP_NAME[connector.type];
		if (status.appName.toLowerCase() !== expected.toLowerCase()) {
			throw new ArrApiError(
				'wrong_app',
				`the URL now answers as ${status.appName}, not ${expected}`
			);
		}
		if (status.version !== connector.appVersion || status.appName !== connector.appName) {
			await db
				.update(connectors)
				.set({ appVersion: status.version, appName: status.appName })
				.where(eq(connectors.id, connector.id));
		}
		const appHealth = await client.getHealth();
		return {
			connectorId: connector.id,
			state: await recordSuccess(db, connector.id, { appHealth, now })
		};
	} catch (error) {
		const state = await recordFailure(db, connector.id, error, {
			afterRetries: false,
			context: 'Health check failed',
			now
		});
		return { connectorId: connector.id, state };
	}
}
