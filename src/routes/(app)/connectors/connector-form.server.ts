/**
 * The server side of the "Add connector" and connector settings forms: superforms validation with
 * the schemas the browser also validates with (`$lib/schemas/connectors`), the mapping to the
 * service's input, and the options of the shared form-error mapper (`formError`).
 * The API key is never sent back to the browser: callers blank it in the returned form data.
 */
import { superValidate, type InferIn, type SuperValidated } from 'sveltekit-superforms';
import { valibot } from 'sveltekit-superforms/adapters';
import type { FormErrorOptions, FormMessage } from '$lib/server/forms';
import type {
	ConnectorCreateInput,
	ConnectorUpdateInput,
	ConnectorView
} from '$lib/server/services/connectors/connector-service';
import {
	CONNECTION_FIELDS,
	addConnectorSchema,
	editConnectorSchema,
	type AddConnectorValues,
	type EditConnectorValues
} from '$lib/schemas/connectors';

export type AddConnectorForm = SuperValidated<
	AddConnectorValues,
	FormMessage,
	InferIn<typeof addConnectorSchema>
>;
export type EditConnectorForm = SuperValidated<
	EditConnectorValues,
	FormMessage,
	InferIn<typeof editConnectorSchema>
>;

/**
 * `formError` options for both forms: the service speaks of `timeoutMs`, the forms of seconds.
 * Everything else (a refused key on `apiKey`, a taken name on `name`, an unreadable stored key on
 * `apiKey`) arrives on the form's own field names.
 */
export const CONNECTOR_FORM_ERRORS: FormErrorOptions = { rename: { timeoutMs: 'timeoutSeconds' } };

/** The empty add form, or the posted one validated. */
export function addConnectorForm(request?: Request): Promise<AddConnectorForm> {
	const adapter = valibot(addConnectorSchema);
	type In = InferIn<typeof addConnectorSchema>;
	return request
		? superValidate<AddConnectorValues, FormMessage, In>(request, adapter)
		: superValidate<AddConnectorValues, FormMessage, In>(adapter);
}

/** The edit form filled from a connector, or the posted one validated. */
export function editConnectorForm(source: Request | ConnectorView): Promise<EditConnectorForm> {
	const adapter = valibot(editConnectorSchema);
	type In = InferIn<typeof editConnectorSchema>;
	return source instanceof Request
		? superValidate<EditConnectorValues, FormMessage, In>(source, adapter)
		: superValidate<EditConnectorValues, FormMessage, In>(editValues(source), adapter, {
				errors: false
			});
}

/** What the edit form shows for a connector; the key field starts empty ("unchanged"). */
export function editValues(view: ConnectorView): EditConnectorValues {
	return {
		type: view.type,
		name: view.name,
		url: view.url,
		apiKey: '',
		enabled: view.enabled,
		timeoutSeconds: view.timeoutMs / 1000,
		skipTlsVerify: view.skipTlsVerify,
		seasonPackEnabled: view.seasonPackEnabled,
		seasonPackThresholdPct: view.seasonPackThresholdPct,
		maxEpisodesBeforePack: view.maxEpisodesBeforePack,
		seasonPackCooldownHours: view.seasonPackCooldownHours,
		searchCooldownHours: view.searchCooldownHours,
		throttleProfileId: view.throttleProfileId,
		seasonPackMinEpisodes: view.seasonPackMinEpisodes,
		downloadQueueLimit: view.downloadQueueLimit,
		includeTagIds: view.includeTagIds,
		excludeTagIds: view.excludeTagIds,
		customFormatUpgrades: view.customFormatUpgrades
	};
}

function timeoutMs(seconds: number): number {
	return Math.round(seconds * 1000);
}

/** The service's create input for a valid add form and the key as typed. */
export function createInput(data: AddConnectorValues, key: string): ConnectorCreateInput {
	return {
		type: data.type,
		name: data.name,
		url: data.url,
		apiKey: key,
		enabled: true,
		timeoutMs: timeoutMs(data.timeoutSeconds),
		skipTlsVerify: data.skipTlsVerify
	};
}

/** The service's update input for a valid edit form; an empty `key` keeps the stored one. */
export function updateInput(data: EditConnectorValues, key: string): ConnectorUpdateInput {
	const { timeoutSeconds: seconds, ...rest } = data;
	return { ...rest, apiKey: key, timeoutMs: timeoutMs(seconds) };
}

/** The connection details a test uses, from either form. */
export function connectionInput(
	data: Pick<EditConnectorValues, 'type' | 'url' | 'timeoutSeconds' | 'skipTlsVerify'>,
	key: string
) {
	return {
		type: data.type,
		url: data.url,
		apiKey: key,
		timeoutMs: timeoutMs(data.timeoutSeconds),
		skipTlsVerify: data.skipTlsVerify
	};
}

const TESTED_FIELDS: ReadonlySet<string> = new Set(CONNECTION_FIELDS);

/**
 * Keeps only the errors of the fields a connection test uses (a test needs no name), as the
 * browser does before it posts a test.
 * @returns whether those fields are valid
 */
export function connectionFieldsValid(form: {
	valid: boolean;
	errors: Record<string, unknown>;
}): boolean {
	for (const key of Object.keys(form.errors)) {
		if (!TESTED_FIELDS.has(key)) delete form.errors[key];
	}
	form.valid = Object.keys(form.errors).length === 0;
	return form.valid;
}

/**
 * "Connected to Whisparr v3 (Eros) 3.2.0.27" as a success, or as a warning with the app's version
 * warning when it is older than the versions Comradarr is tested with.
 */
export function connectedMessage(status: {
	appName: string;
	version: string;
	label: string | null;
	versionWarning: string | null;
}): FormMessage {
	const text = `Connected to ${status.label ?? `${status.appName} ${status.version}`}`;
	return status.versionWarning === null
		? { type: 'success', text }
		: { type: 'warning', text: `${text}. ${status.versionWarning}` };
}
