/**
 * Connector use cases: validate, test, create, update, delete, and the public view.
 *
 * Saving always tests the connection first with `GET /api/v3/system/status` (X-Api-Key header);
 * a malformed URL, an unreachable host, a wrong key (401) or an app whose `appName` does not match
 * the chosen type is refused with a field-level message and nothing is written.
 * The API key is stored encrypted and never returned: views carry `apiKeyHint` (last 4 chars).
 * A stored key is only ever sent to the scheme, host and port it was saved for: an edit or a test
 * that points the connector elsewhere must carry the key again (`apiKey` field error otherwise),
 * so whoever can edit a connector cannot make Comradarr hand its key to another host.
 */
import { and, asc, eq, ne, sql } from 'drizzle-orm';
import * as v from 'valibot';
import type { Database } from '../../db';
import {
	connectors,
	tags,
	throttleProfiles,
	type Connector,
	type ConnectorType
} from '../../db/schema';
import {
	ArrApiError,
	EXPECTED_APP_NAME,
	createClient,
	forgetConnector,
	libraryKind,
	normaliseConnectorUrl,
	versionWarning,
	whisparrLine,
	type LibraryKind,
	type SystemStatus
} from '../../connectors';
import type { SecretBox } from '../../crypto/secrets';
import { SecretError, secretHint } from '../../crypto/secrets';
import { sameOrigin } from '../../../safe-url';
import {
	CONNECTOR_SETTING_KEYS,
	ConnectorCreateSchema,
	ConnectorUpdateSchema,
	type ConnectorCreateInput,
	type ConnectorUpdateInput
} from '../../../schemas/connectors';
import { recordSuccess } from '../health/health-state';
import { DomainError, STORED_KEY_UNREADABLE } from '../../errors';
import { insertDefaultSchedules } from '../schedule/defaults';
import { announceScheduleChange, scheduleChanged } from '../schedule/changes';
import { getSettings } from '../settings/settings-service';

// The input rules live with the forms' schemas (client-safe), so both validate alike.
export { ConnectorCreateSchema, ConnectorUpdateSchema };
export type { ConnectorCreateInput, ConnectorUpdateInput };

/**
 * A failure tied to form fields: `{ field: message }`, with the HTTP status it means (400 unless
 * said otherwise). `code` is `connectors.invalid` for what the app or the database refused,
 * `validation.failed` for input that is incomplete on its own, `secrets.invalid` (409) for a
 * stored key that cannot be decrypted. A domain error: the API and the forms map it alike
 * (`jsonError`, `$lib/server/forms`).
 */
export class ConnectorFieldError extends DomainError {
	declare readonly fields: Record<string, string>;
	constructor(
		fields: Record<string, string>,
		message = Object.values(fields)[0] ?? 'Invalid connector',
		code: 'connectors.invalid' | 'validation.failed' | 'secrets.invalid' = 'connectors.invalid',
		options: { status?: number; cause?: unknown } = {}
	) {
		super(code, message, { status: options.status ?? 400, fields, cause: options.cause });
		this.name = 'ConnectorFieldError';
	}
}

export { STORED_KEY_UNREADABLE };

/** `scheme://host:port` of a connector URL, for messages. */
function originOf(url: string): string {
	try {
		return new URL(url).origin;
	} catch {
		return url;
	}
}

/**
 * The stored key of `current` for a request to `url`.
 * @throws ConnectorFieldError on `url` when it is malformed; (`validation.failed`, on `apiKey`)
 *   when `url` names another scheme,
 *   host or port than the stored URL: the key must be entered again. A changed URL base on the
 *   same origin keeps the key. (`secrets.invalid`, 409, on `apiKey`) when the stored key cannot
 *   be decrypted with the current SECRET_KEY.
 */
function storedKeyFor(
	current: Pick<Connector, 'url' | 'apiKeyEncrypted'>,
	url: string,
	secrets: SecretBox
): string {
	const checked = normaliseConnectorUrl(url);
	if (!checked.ok) throw new ConnectorFieldError({ url: checked.message });
	if (!sameOrigin(current.url, checked.url)) {
		const message =
			`Enter the API key again: the URL now points at ${originOf(checked.url)} instead of ` +
			`${originOf(current.url)}, and the stored key is only sent where it was saved for.`;
		throw new ConnectorFieldError({ apiKey: message }, message, 'validation.failed');
	}
	try {
		return secrets.decrypt(current.apiKeyEncrypted);
	} catch (error) {
		if (!(error instanceof SecretError)) throw error;
		// The key field is where the fix goes: typing the key again replaces the unreadable one.
		throw new ConnectorFieldError(
			{ apiKey: STORED_KEY_UNREADABLE },
			STORED_KEY_UNREADABLE,
			'secrets.invalid',
			{
				status: 409,
				cause: error
			}
		);
	}
}

export class ConnectorNotFoundError extends DomainError {
	constructor(id: number) {
		super('connectors.not_found', `Connector ${id} does not exist`, { status: 404 });
		this.name = 'ConnectorNotFoundError';
	}
}

/** What the UI and the API may see of a connector (never the key). */
export interface ConnectorView {
	id: number;
	type: ConnectorType;
	name: string;
	url: string;
	enabled: boolean;
	apiKeyHint: string;
	appName: string | null;
	version: string | null;
	/** "Sonarr 4.0.19", "Whisparr v3 (Eros) 3.2.0" … for display. */
	appLabel: string | null;
	/** series (Sonarr, Whisparr v2) or movies (Radarr, Whisparr v3). */
	libraryKind: LibraryKind;
	/** Set when the version is older than the oldest we test against. */
	versionWarning: string | null;
	health: Connector['health'];
	healthReason: string | null;
	healthCheckedAt: Date | null;
	/** The app's own health warnings at the last check. */
	appHealth: Connector['appHealth'];
	timeoutMs: number;
	skipTlsVerify: boolean;
	seasonPackEnabled: boolean;
	seasonPackThresholdPct: number;
	maxEpisodesBeforePack: number | null;
	seasonPackCooldownHours: number;
	/** Null: the throttle profile's cooldown applies. */
	searchCooldownHours: number | null;
	/** The connector's own throttle profile; null: the default profile. */
	throttleProfileId: number | null;
	/** A season missing fewer episodes than this never gets a season search. */
	seasonPackMinEpisodes: number;
	/** No dispatch while the app's download queue holds more than this; null: off. */
	downloadQueueLimit: number | null;
	/** *arr tag ids: only series/movies carrying one are searched; empty: all. */
	includeTagIds: number[];
	/** *arr tag ids: series/movies carrying one are never searched. */
	excludeTagIds: number[];
	/** Custom-format-score upgrades are searched too (opt-in). */
	customFormatUpgrades: boolean;
	createdAt: Date;
}

/** "Whisparr v3 (Eros) 3.2.0.27", "Sonarr 4.0.19.2979"; null before the first contact. */
export function appLabel(
	type: ConnectorType,
	appName: string | null,
	version: string | null
): string | null {
	if (!version) return null;
	const name = appName ?? EXPECTED_APP_NAME[type];
	if (type === 'whisparr') {
		return whisparrLine(version) === 3 ? `${name} v3 (Eros) ${version}` : `${name} v2 ${version}`;
	}
	return `${name} ${version}`;
}

export function toView(c: Connector): ConnectorView {
	return {
		id: c.id,
		type: c.type,
		name: c.name,
		url: c.url,
		enabled: c.enabled,
		apiKeyHint: c.apiKeyHint,
		appName: c.appName,
		version: c.appVersion,
		appLabel: appLabel(c.type, c.appName, c.appVersion),
		libraryKind: libraryKind(c),
		versionWarning: versionWarning(c.type, c.appVersion),
		health: c.health,
		healthReason: c.healthReason,
		healthCheckedAt: c.healthCheckedAt,
		appHealth: c.appHealth,
		timeoutMs: c.timeoutMs,
		skipTlsVerify: c.skipTlsVerify,
		seasonPackEnabled: c.seasonPackEnabled,
		seasonPackThresholdPct: c.seasonPackThresholdPct,
		maxEpisodesBeforePack: c.maxEpisodesBeforePack,
		seasonPackCooldownHours: c.seasonPackCooldownHours,
		searchCooldownHours: c.searchCooldownHours,
		throttleProfileId: c.throttleProfileId,
		seasonPackMinEpisodes: c.seasonPackMinEpisodes,
		downloadQueueLimit: c.downloadQueueLimit,
		includeTagIds: c.includeTagIds,
		excludeTagIds: c.excludeTagIds,
		customFormatUpgrades: c.customFormatUpgrades,
		createdAt: c.createdAt
	};
}

/**
 * Tests a connection: URL shape, reachability, key, and app identity.
 * @returns the app's status (appName, version)
 * @throws ConnectorFieldError naming the field at fault
 */
export async function testConnection(input: {
	type: ConnectorType;
	url: string;
	apiKey: string;
	timeoutMs?: number | undefined;
	skipTlsVerify?: boolean | undefined;
}): Promise<SystemStatus & { url: string; label: string | null; versionWarning: string | null }> {
	const checked = normaliseConnectorUrl(input.url);
	if (!checked.ok) throw new ConnectorFieldError({ url: checked.message });
	const client = createClient(input.type, {
		baseUrl: checked.url,
		apiKey: input.apiKey,
		timeoutMs: Math.min(input.timeoutMs ?? 10_000, 30_000),
		skipTlsVerify: input.skipTlsVerify ?? false,
		retries: 0
	});
	let status: SystemStatus;
	try {
		status = await client.getSystemStatus();
	} catch (error) {
		if (error instanceof ArrApiError) {
			const field = error.kind === 'unauthorized' ? 'apiKey' : 'url';
			throw new ConnectorFieldError({ [field]: error.message }, error.describe());
		}
		throw error;
	}
	const expected = EXPECTED_APP_NAME[input.type];
	if (status.appName.toLowerCase() !== expected.toLowerCase()) {
		throw new ConnectorFieldError({
			type: `This URL is ${status.appName}, not ${expected}. Pick ${status.appName} as the type or check the URL.`
		});
	}
	return {
		...status,
		url: checked.url,
		label: appLabel(input.type, status.appName, status.version),
		versionWarning: versionWarning(input.type, status.version)
	};
}

/**
 * "Test connection" on a stored connector's edit form: the typed details with the typed key, or,
 * when the key field is empty, the stored key — only while the URL keeps the stored scheme, host
 * and port.
 * @throws ConnectorFieldError as `testConnection`, or on `apiKey` when the stored key may not follow
 *   the URL (nothing is sent then).
 */
export async function testConnectorEdit(
	current: Pick<Connector, 'url' | 'apiKeyEncrypted'>,
	secrets: SecretBox,
	input: Parameters<typeof testConnection>[0]
): ReturnType<typeof testConnection> {
	const apiKey = input.apiKey || storedKeyFor(current, input.url, secrets);
	return testConnection({ ...input, apiKey });
}

/**
 * "Test connection" for a stored connector, with everything it syncs with: its URL, its stored
 * key, its timeout and its own TLS choice (a connector that skips certificate verification for a
 * self-signed *arr must test the way it syncs).
 * @throws ConnectorFieldError as `testConnection`.
 */
export async function testStoredConnector(
	connector: Pick<Connector, 'type' | 'url' | 'apiKeyEncrypted' | 'timeoutMs' | 'skipTlsVerify'>,
	secrets: SecretBox
): ReturnType<typeof testConnection> {
	return testConnection({
		type: connector.type,
		url: connector.url,
		apiKey: secrets.decrypt(connector.apiKeyEncrypted),
		timeoutMs: connector.timeoutMs,
		skipTlsVerify: connector.skipTlsVerify
	});
}

async function assertNameFree(db: Database, candidate: string, exceptId?: number): Promise<void> {
	const clash = await db
		.select({ id: connectors.id })
		.from(connectors)
		.where(
			exceptId === undefined
				? sql`lower(${connectors.name}) = lower(${candidate})`
				: and(sql`lower(${connectors.name}) = lower(${candidate})`, ne(connectors.id, exceptId))
		);
	if (clash.length > 0) {
		throw new ConnectorFieldError({ name: `A connector named "${candidate}" already exists` });
	}
}

/**
 * Refuses settings that name what does not exist or contradict each other: an unknown
 * `throttleProfileId`, a tag both included and excluded (after merging with the stored lists).
 * @throws ConnectorFieldError (400 `validation.failed`) on the field at fault
 */
async function assertSettingsValid(
	db: Database,
	input: ConnectorUpdateInput,
	current: Pick<Connector, 'includeTagIds' | 'excludeTagIds'>
): Promise<void> {
	if (input.throttleProfileId !== undefined && input.throttleProfileId !== null) {
		const [profile] = await db
			.select({ id: throttleProfiles.id })
			.from(throttleProfiles)
			.where(eq(throttleProfiles.id, input.throttleProfileId));
		if (!profile) {
			throw new ConnectorFieldError(
				{ throttleProfileId: `There is no throttle profile ${input.throttleProfileId}` },
				undefined,
				'validation.failed'
			);
		}
	}
	const include = new Set(input.includeTagIds ?? current.includeTagIds);
	const both = (input.excludeTagIds ?? current.excludeTagIds).filter((id) => include.has(id));
	if (both.length > 0) {
		const message = `A tag cannot be both included and excluded (tag ${both.join(', ')})`;
		throw new ConnectorFieldError({ excludeTagIds: message }, message, 'validation.failed');
	}
}

/**
 * Creates a connector after a successful connection test, with its default sweep schedules
 * (schedule/defaults.ts) in the same transaction, in Settings → General's time zone.
 * @throws ValiError on a malformed body; ConnectorFieldError on a refused connection or a taken name
 */
export async function createConnector(
	db: Database,
	secrets: SecretBox,
	body: unknown
): Promise<ConnectorView> {
	const input = v.parse(ConnectorCreateSchema, body);
	await assertNameFree(db, input.name);
	const status = await testConnection(input);
	const now = new Date();
	const settings = {
		...(input.timeoutMs === undefined ? {} : { timeoutMs: input.timeoutMs }),
		...(input.skipTlsVerify === undefined ? {} : { skipTlsVerify: input.skipTlsVerify })
	};
	const { timeZone } = (await getSettings(db)).general;
	// The connector and its default sweep schedules (gaps hourly, upgrades nightly) together.
	const row = await db.transaction(async (tx) => {
		const [inserted] = await tx
			.insert(connectors)
			.values({
				type: input.type,
				name: input.name,
				url: status.url,
				apiKeyEncrypted: secrets.encrypt(input.apiKey),
				apiKeyHint: secretHint(input.apiKey),
				enabled: input.enabled,
				appName: status.appName,
				appVersion: status.version,
				health: 'healthy',
				healthCheckedAt: now,
				...settings
			})
			.returning();
		if (!inserted) throw new Error('insert returned no row');
		await insertDefaultSchedules(tx, inserted.id, timeZone, now);
		return inserted;
	});
	scheduleChanged(`connector:${row.id}`);
	return toView(row);
}

export async function getConnector(db: Database, id: number): Promise<Connector> {
	const [row] = await db.select().from(connectors).where(eq(connectors.id, id));
	if (!row) throw new ConnectorNotFoundError(id);
	return row;
}

/**
 * Updates a connector; re-tests the connection when type, URL or key change.
 * @throws ValiError, ConnectorFieldError (also for an unknown `throttleProfileId` or a tag both
 *   included and excluded), ConnectorNotFoundError
 */
export async function updateConnector(
	db: Database,
	secrets: SecretBox,
	id: number,
	body: unknown
): Promise<ConnectorView> {
	const input = v.parse(ConnectorUpdateSchema, body);
	const current = await getConnector(db, id);
	if (input.name !== undefined) await assertNameFree(db, input.name, id);
	await assertSettingsValid(db, input, current);
	const newKey = input.apiKey ? input.apiKey : undefined;
	const changes: Partial<typeof connectors.$inferInsert> = { updatedAt: new Date() };
	const connectionChanged =
		(input.type !== undefined && input.type !== current.type) ||
		(input.url !== undefined && input.url !== current.url) ||
		(input.skipTlsVerify !== undefined && input.skipTlsVerify !== current.skipTlsVerify) ||
		newKey !== undefined;
	if (connectionChanged) {
		const url = input.url ?? current.url;
		const status = await testConnection({
			type: input.type ?? current.type,
			url,
			apiKey: newKey ?? storedKeyFor(current, url, secrets),
			timeoutMs: input.timeoutMs ?? current.timeoutMs,
			skipTlsVerify: input.skipTlsVerify ?? current.skipTlsVerify
		});
		changes.url = status.url;
		changes.appName = status.appName;
		changes.appVersion = status.version;
		if (input.type !== undefined) changes.type = input.type;
		if (newKey !== undefined) {
			changes.apiKeyEncrypted = secrets.encrypt(newKey);
			changes.apiKeyHint = secretHint(newKey);
		}
	}
	if (input.name !== undefined) changes.name = input.name;
	if (input.enabled !== undefined) changes.enabled = input.enabled;
	for (const key of CONNECTOR_SETTING_KEYS) {
		const value = input[key];
		if (value !== undefined) Object.assign(changes, { [key]: value });
	}
	const [row] = await db.update(connectors).set(changes).where(eq(connectors.id, id)).returning();
	if (!row) throw new ConnectorNotFoundError(id);
	if (connectionChanged && (row.health === 'unhealthy' || row.health === 'offline')) {
		await recordSuccess(db, id);
		return toView(await getConnector(db, id));
	}
	return toView(row);
}

/** Deletes a connector with its mirror and search state (cascades). @throws ConnectorNotFoundError */
export async function deleteConnector(db: Database, id: number): Promise<void> {
	// Its sweep schedules go with it (cascade): every scheduler stops their timers.
	const removed = await db.transaction(async (tx) => {
		const rows = await tx
			.delete(connectors)
			.where(eq(connectors.id, id))
			.returning({ id: connectors.id });
		if (rows.length > 0) await announceScheduleChange(tx, `connector:${id}`);
		return rows;
	});
	if (removed.length === 0) throw new ConnectorNotFoundError(id);
	forgetConnector(id);
	scheduleChanged(`connector:${id}`);
}

/**
 * The connector's mirrored *arr tags (`GET /api/v3/tag`, synced into `tags`) by label, for the
 * include / exclude choices: `id` is the app's tag id (what series/movies carry in `tags`).
 */
export async function connectorTags(
	db: Database,
	connectorId: number
): Promise<{ id: number; label: string }[]> {
	return db
		.select({ id: tags.arrId, label: tags.label })
		.from(tags)
		.where(eq(tags.connectorId, connectorId))
		.orderBy(asc(tags.label));
}
