/**
 * The connector factory: builds the right client for a connector (by type and, for Whisparr, by
 * the line its version reports), decrypting the API key only for the call. One concurrency
 * limiter per connector is shared by all its clients.
 */
import type { Connector, ConnectorType } from '../db/schema';
import type { SecretBox } from '../crypto/secrets';
import { Limiter, type ArrHttpOptions } from './common/http';
import { RadarrClient } from './radarr';
import { SonarrClient } from './sonarr';
import { WhisparrV2Client, WhisparrV3Client, whisparrLine } from './whisparr';

export { ArrApiError, isArrApiError, type ArrErrorKind } from './common/errors';
export { normaliseConnectorUrl } from '../../connector-url';
export type * from './common/types';
export { BaseArrClient } from './common/base-client';
export { SonarrClient, RadarrClient, WhisparrV2Client, WhisparrV3Client, whisparrLine };

export type ArrClient = SonarrClient | RadarrClient;

/** The `appName` each connector type must report in `system/status`. */
export const EXPECTED_APP_NAME: Record<ConnectorType, string> = {
	sonarr: 'Sonarr',
	radarr: 'Radarr',
	whisparr: 'Whisparr'
};

/** The oldest major versions we test against (older ones get a warning, not a refusal). */
export const OLDEST_TESTED_MAJOR: Record<ConnectorType, number> = {
	sonarr: 3,
	radarr: 4,
	whisparr: 2
};

/** How a library is shaped: series/seasons/episodes, or movies. */
export type LibraryKind = 'series' | 'movies';

/** Sonarr and Whisparr v2 hold series; Radarr and Whisparr v3 hold movies. */
export function libraryKind(connector: {
	type: ConnectorType;
	appVersion: string | null;
}): LibraryKind {
	if (connector.type === 'radarr') return 'movies';
	if (connector.type === 'whisparr') {
		return whisparrLine(connector.appVersion) === 3 ? 'movies' : 'series';
	}
	return 'series';
}

/** The app's major version, or null when unknown. */
export function majorVersion(version: string | null | undefined): number | null {
	const major = Number.parseInt(String(version ?? '').split('.')[0] ?? '', 10);
	return Number.isFinite(major) ? major : null;
}

/** A warning when the version is older than the oldest we test against; null otherwise. */
export function versionWarning(type: ConnectorType, version: string | null): string | null {
	const major = majorVersion(version);
	if (major === null) return null;
	const oldest = OLDEST_TESTED_MAJOR[type];
	return major < oldest
		? `${EXPECTED_APP_NAME[type]} ${version} is older than the oldest version Comradarr is tested with (${oldest}.x); searches may fail.`
		: null;
}

const limiters = new Map<number, Limiter>();

function limiterFor(connectorId: number): Limiter {
	let limiter = limiters.get(connectorId);
	if (!limiter) {
		limiter = new Limiter(4);
		limiters.set(connectorId, limiter);
	}
	return limiter;
}

/**
 * A client for raw connection details. `version` picks the Whisparr line (v2 when unknown).
 */
export function createClient(
	type: ConnectorType,
	options: ArrHttpOptions,
	version?: string | null
): ArrClient {
	if (type === 'radarr') return new RadarrClient(options);
	if (type === 'whisparr') {
		return whisparrLine(version) === 3
			? new WhisparrV3Client(options)
			: new WhisparrV2Client(options);
	}
	return new SonarrClient(options);
}

/** A client for a stored connector. @throws SecretError when its key cannot be decrypted. */
export function clientFor(
	connector: Pick<
		Connector,
		'id' | 'type' | 'url' | 'apiKeyEncrypted' | 'timeoutMs' | 'skipTlsVerify' | 'appVersion'
	>,
	secrets: SecretBox,
	overrides: Partial<ArrHttpOptions> = {}
): ArrClient {
	return createClient(
		connector.type,
		{
			baseUrl: connector.url,
			apiKey: secrets.decrypt(connector.apiKeyEncrypted),
			timeoutMs: connector.timeoutMs,
			skipTlsVerify: connector.skipTlsVerify,
			limiter: limiterFor(connector.id),
			connectorId: connector.id,
			...overrides
		},
		connector.appVersion
	);
}

/** Drops a deleted connector's limiter. */
export function forgetConnector(connectorId: number): void {
	limiters.delete(connectorId);
}
