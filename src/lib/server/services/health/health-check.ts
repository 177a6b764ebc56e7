/**
 * The periodic health check of one connector: `GET /ping`, then `GET /api/v3/system/status`
 * (version, app identity) and `GET /api/v3/health` (the app's own warnings).
 * ok → healthy; the app reports warnings/errors → degraded; 401 or failures → unhealthy;
 * unreachable → offline. A paused connector resumes by itself once a check passes.
 */
import { eq } from 'drizzle-orm';
import type { Database } from '../../db';
import { connectors, type Connector, type HealthState } from '../../db/schema';
import { EXPECTED_APP_NAME, clientFor } from '../../connectors';
import type { SecretBox } from '../../crypto/secrets';
import { reasonForError, recordHealth, stateForError } from './health-state';

export interface HealthCheckResult {
	connectorId: number;
	state: HealthState;
	reason: string | null;
}

export async function checkConnectorHealth(deps: { db: Database; secrets: SecretBox; connector: Connector; clock?: () => Date }): Promise<HealthCheckResult> {
	const { db, connector } = deps;
	const now = (deps.clock ?? (() => new Date()))();
	const client = clientFor(connector, deps.secrets, { retries: 1 });
	let state: HealthState = 'healthy';
	let reason: string | null = null;
	try {
		await client.ping();
		const status = await client.getSystemStatus();
		if (status.appName.toLowerCase() !== EXPECTED_APP_NAME[connector.type].toLowerCase()) {
			state = 'unhealthy';
			reason = `The URL now answers as ${status.appName}, not ${EXPECTED_APP_NAME[connector.type]}`;
		} else {
			if (status.version !== connector.appVersion) {
				await db.update(connectors).set({ appVersion: status.version, appName: status.appName }).where(eq(connectors.id, connector.id));
			}
			const warnings = (await client.getHealth()).filter((h) => h.type === 'warning' || h.type === 'error');
			if (warnings.length > 0) {
				state = 'degraded';
				reason = warnings.map((w) => w.message).join(' · ');
			}
		}
	} catch (error) {
		state = stateForError(error);
		reason = reasonForError(error);
	}
	await recordHealth(db, connector.id, state, reason, now);
	return { connectorId: connector.id, state, reason };
}
