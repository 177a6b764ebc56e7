/**
 * The "Add connector" and connector edit forms: their valibot schemas (built from the service's
 * field rules), superforms validation, and the mapping of service errors onto form fields.
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
	type ConnectorView
} from '$lib/server/services/connectors/connector-service';
import {
	OFFERED_CONNECTOR_TYPES,
	connectorTypeLabel
} from '$lib/components/connectors/connector-types';

const { name, url, apiKey } = ConnectorCreateSchema.entries;
const thresholdMessage = 'Enter a whole number from 1 to 100';

export const addConnectorSchema = v.object({
	type: v.picklist(
		OFFERED_CONNECTOR_TYPES,
		`Choose ${OFFERED_CONNECTOR_TYPES.map(connectorTypeLabel).join(' or ')}`
	),
	name,
	url,
	apiKey
});

/** Every field is posted; an empty `apiKey` keeps the stored key. */
export const editConnectorSchema = v.object({
	// A stored type stays valid even when the UI no longer offers it.
	type: v.picklist(CONNECTOR_TYPES, 'Choose the type of the app'),
	name,
	url,
	apiKey: v.pipe(v.string(), v.trim(), v.maxLength(200, 'API key is too long')),
	enabled: v.boolean(),
	seasonPackEnabled: v.boolean(),
	seasonPackThresholdPct: v.pipe(
		v.number(thresholdMessage),
		v.integer(thresholdMessage),
		v.minValue(1, thresholdMessage),
		v.maxValue(100, thresholdMessage)
	)
});

type AddValues = Infer<typeof addConnectorSchema>;
type EditValues = Infer<typeof editConnectorSchema>;
/** Messages are plain text: "Connected to Sonarr 4.0.19", "Saved". */
export type AddConnectorForm = SuperValidated<
	AddValues,
	string,
	InferIn<typeof addConnectorSchema>
>;
export type EditConnectorForm = SuperValidated<
	EditValues,
	string,
	InferIn<typeof editConnectorSchema>
>;

/** The empty add form, or the posted one validated. */
export function addConnectorForm(request?: Request): Promise<AddConnectorForm> {
	const adapter = valibot(addConnectorSchema);
	return request
		? superValidate<AddValues, string, InferIn<typeof addConnectorSchema>>(request, adapter)
		: superValidate<AddValues, string, InferIn<typeof addConnectorSchema>>(adapter);
}

/** The edit form filled from a connector, or the posted one validated. */
export function editConnectorForm(source: Request | ConnectorView): Promise<EditConnectorForm> {
	const adapter = valibot(editConnectorSchema);
	return source instanceof Request
		? superValidate<EditValues, string, InferIn<typeof editConnectorSchema>>(source, adapter)
		: superValidate<EditValues, string, InferIn<typeof editConnectorSchema>>(
				editValues(source),
				adapter,
				{ errors: false }
			);
}

/** What the edit form shows for a connector; the key field starts empty ("unchanged"). */
export function editValues(view: ConnectorView): EditValues {
	return {
		type: view.type,
		name: view.name,
		url: view.url,
		apiKey: '',
		enabled: view.enabled,
		seasonPackEnabled: view.seasonPackEnabled,
		seasonPackThresholdPct: view.seasonPackThresholdPct
	};
}

interface ConnectionErrors {
	_errors?: string[] | undefined;
	type?: string[] | undefined;
	name?: string[] | undefined;
	url?: string[] | undefined;
	apiKey?: string[] | undefined;
}

/** The fields a connection test depends on; other fields' errors do not stop a test. */
const TESTED_FIELDS = new Set(['type', 'url', 'apiKey']);

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

/** "Connected to Sonarr 4.0.19". */
export function connectedMessage(status: { appName: string; version: string }): string {
	return `Connected to ${status.appName} ${status.version}`;
}

/**
 * Puts a refused connection or a taken name on the form's fields and fails with 400.
 * @throws anything that is not a connector field error or an unreadable stored key
 */
export function connectorFailure<F extends { valid: boolean; errors: ConnectionErrors }>(
	form: F,
	error: unknown
) {
	if (error instanceof ConnectorFieldError) {
		for (const [field, message] of Object.entries(error.fields)) {
			if (field === 'type' || field === 'name' || field === 'url' || field === 'apiKey') {
				form.errors[field] = [message];
			} else {
				form.errors._errors = [...(form.errors._errors ?? []), message];
			}
		}
	} else if (error instanceof SecretError) {
		form.errors.apiKey = [
			'The stored API key cannot be decrypted with the current SECRET_KEY; enter the key again.'
		];
	} else {
		throw error;
	}
	form.valid = false;
	return fail(400, { form });
}
