/**
 * The connector factory: builds the right client for a stored connector, decrypting its API key
 * only for the call. One concurrency limiter per connector is shared by all its clients.
 */
import type { Connector, ConnectorType } from '../db/schema';
import type { SecretBox } from '../crypto/secrets';
import { Limiter, type ArrHttpOptions } from './common/http';
import { RadarrClient } from './radarr';
import { SonarrClient } from './sonarr';

export { ArrApiError, isArrApiError, type ArrErrorKind } from './common/errors';
export { normaliseConnectorUrl } from './common/url';
export type * from './common/types';
export { BaseArrClient } from './common/base-client';
export { SonarrClient, RadarrClient };

export type ArrClient = SonarrClient | RadarrClient;

/** The `appName` each connector type must report in `system/status`. */
export const EXPECTED_APP_NAME: Record<ConnectorType, string> = {
	sonarr: 'Sonarr',
	radarr: 'Radarr',
	whisparr: 'Whisparr'
};

const limiters = new Map<number, Limiter>();

function limiterFor(connectorId: number): Limiter {
	let limiter = limiters.get(connectorId);
	if (!limiter) {
		limiter = new Limiter(4);
		limiters.set(connectorId, limiter);
	}
	return limiter;
}

/** A client for raw connection details (used by "Test connection" before anything is saved). */
export function createClient(type: ConnectorType, options: ArrHttpOptions): ArrClient {
	return type === 'radarr' ? new RadarrClient(options) : new SonarrClient(options);
}

/** A client for a stored connector. @throws SecretError when its key cannot be decrypted. */
export function clientFor(
	connector: Pick<Connector, 'id' | 'type' | 'url' | 'apiKeyEncrypted' | 'timeoutMs'>,
	secrets: SecretBox,
	overrides: Partial<ArrHttpOptions> = {}
): ArrClient {
	return createClient(connector.type, {
		baseUrl: connector.url,
		apiKey: secrets.decrypt(connector.apiKeyEncrypted),
		timeoutMs: connector.timeoutMs,
		limiter: limiterFor(connector.id),
		connectorId: connector.id,
		...overrides
	});
}
