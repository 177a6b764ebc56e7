/**
 * The "Add connector" and connector edit forms: their valibot schemas (built from the service's
 * field rules), superforms validation, the mapping to the service's input, and the mapping of
 * service errors onto form fields.
 * The API key is never sent back to the browser: callers blank it in the returned form data.
 */
import * as v from 'valibot';
import {
	fail,
	superValidate,
	type Infer,
	type InferIn,
	type SuperValidated
} from 'sveltekit-superforms';
import { valibot } from 'sveltekit-superforms/adapters';
import { SecretError } from '$lib/server/crypto/secrets';
import { CONNECTOR_TYPES } from '$lib/server/db/schema';
import {
	ConnectorCreateSchema,
	ConnectorFieldError,
	ConnectorUpdateSchema,
	type ConnectorCreateInput,
	type ConnectorUpdateInput,
	type ConnectorView
} from '$lib/server/services/connectors/connector-service';
import {
	OFFERED_CONNECTOR_TYPES,
	offeredTypesText
} from '$lib/components/connectors/connector-types';

const { name, url, apiKey } = ConnectorCreateSchema.entries;
// The service's rules for the per-connector settings; the forms show the same limits.
const settings = ConnectorUpdateSchema.entries;

/** The forms ask for seconds; the service stores ms (1–300 s, like `ConnectorUpdateSchema`). */
const TIMEOUT_SECONDS = { min: 1, max: 300 } as const;
/** The `connectors.timeout_ms` column default, in seconds. */
const DEFAULT_TIMEOUT_SECONDS = 30;
const timeoutMessage = `Enter a timeout from ${TIMEOUT_SECONDS.min} to ${TIMEOUT_SECONDS.max} s`;
const timeoutSeconds = v.pipe(
	v.number(timeoutMessage),
	v.minValue(TIMEOUT_SECONDS.min, timeoutMessage),
	v.maxValue(TIMEOUT_SECONDS.max, timeoutMessage)
);

export const addConnectorSchema = v.object({
	type: v.picklist(OFFERED_CONNECTOR_TYPES, `Choose ${offeredTypesText()}`),
	name,
	url,
	apiKey,
	// Empty means the default.
	timeoutSeconds: v.optional(timeoutSeconds, DEFAULT_TIMEOUT_SECONDS),
	skipTlsVerify: v.boolean()
});

/**
 * Every field is posted (the season-pack fields as hidden inputs when the page does not show
 * them); an empty `apiKey` keeps the stored key.
 */
export const editConnectorSchema = v.object({
	// A stored type stays valid even when the UI no longer offers it.
	type: v.picklist(CONNECTOR_TYPES, 'Choose the type of the app'),
	name,
	url,
	apiKey: settings.apiKey.wrapped,
	enabled: v.boolean(),
	timeoutSeconds,
	skipTlsVerify: v.boolean(),
	seasonPackEnabled: v.boolean(),
	seasonPackThresholdPct: settings.seasonPackThresholdPct.wrapped,
	/** Empty: off. */
	maxEpisodesBeforePack: settings.maxEpisodesBeforePack.wrapped,
	seasonPackCooldownHours: settings.seasonPackCooldownHours.wrapped,
	/** Empty: the throttle profile's cooldown. */
	searchCooldownHours: settings.searchCooldownHours.wrapped
});

type AddValues = Infer<typeof addConnectorSchema>;
type EditValues = Infer<typeof editConnectorSchema>;

/**
 * What the forms say after an action: "Connected to Whisparr v3 (Eros) 3.2.0.27", "Saved", with
 * the app's version warning when it is older than the versions Comradarr is tested with.
 */
export interface ConnectorFormMessage {
	text: string;
	warning: string | null;
}

export type AddConnectorForm = SuperValidated<
	AddValues,
	ConnectorFormMessage,
	InferIn<typeof addConnectorSchema>
>;
export type EditConnectorForm = SuperValidated<
	EditValues,
	ConnectorFormMessage,
	InferIn<typeof editConnectorSchema>
>;

/** The empty add form, or the posted one validated. */
export function addConnectorForm(request?: Request): Promise<AddConnectorForm> {
	const adapter = valibot(addConnectorSchema);
	type In = InferIn<typeof addConnectorSchema>;
	return request
		? superValidate<AddValues, ConnectorFormMessage, In>(request, adapter)
		: superValidate<AddValues, ConnectorFormMessage, In>(adapter);
}

/** The edit form filled from a connector, or the posted one validated. */
export function editConnectorForm(source: Request | ConnectorView): Promise<EditConnectorForm> {
	const adapter = valibot(editConnectorSchema);
	type In = InferIn<typeof editConnectorSchema>;
	return source instanceof Request
		? superValidate<EditValues, ConnectorFormMessage, In>(source, adapter)
		: superValidate<EditValues, ConnectorFormMessage, In>(editValues(source), adapter, {
				errors: false
			});
}

/** What the edit form shows for a connector; the key field starts empty ("unchanged"). */
export function editValues(view: ConnectorView): EditValues {
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
		searchCooldownHours: view.searchCooldownHours
	};
}

function timeoutMs(seconds: number): number {
	return Math.round(seconds * 1000);
}

/** The service's create input for a valid add form and the key as typed. */
export function createInput(data: AddValues, key: string): ConnectorCreateInput {
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
export function updateInput(data: EditValues, key: string): ConnectorUpdateInput {
	const { timeoutSeconds: seconds, ...rest } = data;
	return { ...rest, apiKey: key, timeoutMs: timeoutMs(seconds) };
}

/** The connection details a test uses, from either form. */
export function connectionInput(
	data: Pick<AddValues, 'url' | 'timeoutSeconds' | 'skipTlsVerify'> & { type: EditValues['type'] },
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

/** The fields a connection test depends on; other fields' errors do not stop a test. */
const TESTED_FIELDS = new Set(['type', 'url', 'apiKey', 'timeoutSeconds', 'skipTlsVerify']);

/**
 * Keeps only the errors of the fields a connection test uses (a test needs no name).
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

/** "Connected to Whisparr v3 (Eros) 3.2.0.27", with the version warning if there is one. */
export function connectedMessage(status: {
	appName: string;
	version: string;
	label: string | null;
	versionWarning: string | null;
}): ConnectorFormMessage {
	return {
		text: `Connected to ${status.label ?? `${status.appName} ${status.version}`}`,
		warning: status.versionWarning
	};
}

/** Service field names that the forms call differently. */
const FORM_FIELD: Record<string, string> = { timeoutMs: 'timeoutSeconds' };

/** Messages of a refused save by field (`''`: the whole form); null when the error is not ours. */
function errorsByField(error: unknown): Record<string, string[]> | null {
	if (error instanceof ConnectorFieldError) {
		return Object.fromEntries(Object.entries(error.fields).map(([field, text]) => [field, [text]]));
	}
	if (error instanceof SecretError) {
		return {
			apiKey: [
				'The stored API key cannot be decrypted with the current SECRET_KEY; enter the key again.'
			]
		};
	}
	// The forms validate with the service's rules, so this only guards against the two drifting.
	if (v.isValiError(error)) {
		const flat = v.flatten(error.issues);
		return { ...(flat.nested ?? {}), '': [...(flat.root ?? []), ...(flat.other ?? [])] };
	}
	return null;
}

/**
 * Puts a refused connection, a taken name or a rejected setting on the form's fields and fails
 * with 400; messages for fields the form does not have go to the form-level errors.
 * @throws anything that is not a connector field error, a validation error or an unreadable key
 */
export function connectorFailure<
	F extends { valid: boolean; data: object; errors: { _errors?: string[] | undefined } }
>(form: F, error: unknown) {
	const byField = errorsByField(error);
	if (byField === null) throw error;
	const errors = form.errors as Record<string, string[] | undefined>;
	for (const [field, messages] of Object.entries(byField)) {
		if (messages.length === 0) continue;
		const target = FORM_FIELD[field] ?? field;
		if (target !== '' && target !== '_errors' && target in form.data) {
			errors[target] = [...(errors[target] ?? []), ...messages];
		} else {
			form.errors._errors = [...(form.errors._errors ?? []), ...messages];
		}
	}
	form.valid = false;
	return fail(400, { form });
}
