import { redirect } from '@sveltejs/kit';
import { fail, message } from 'sveltekit-superforms';
import { formError } from '$lib/server/forms';
import { getRuntime } from '$lib/server/runtime';
import { createConnector, testConnection } from '$lib/server/services/connectors/connector-service';
import {
	CONNECTOR_FORM_ERRORS,
	addConnectorForm,
	connectedMessage,
	connectionFieldsValid,
	connectionInput,
	createInput
} from '../connector-form.server';
import type { Actions, PageServerLoad } from './$types';
import { withBase } from '$lib/server/http/base-path';

export const load = (async () => {
	return { form: await addConnectorForm() };
}) satisfies PageServerLoad;

// Named actions only: SvelteKit does not allow a default action next to named ones.
export const actions = {
	/** Tests the connection fields without saving anything. */
	test: async ({ request }) => {
		const form = await addConnectorForm(request);
		const { apiKey } = form.data;
		form.data.apiKey = '';
		if (!connectionFieldsValid(form)) return fail(400, { form });
		try {
			const status = await testConnection(connectionInput(form.data, apiKey));
			return message(form, connectedMessage(status));
		} catch (error) {
			return formError(form, error, CONNECTOR_FORM_ERRORS);
		}
	},

	/**
	 * Tests the connection again and saves the connector; nothing is written on any error. The
	 * redirect to the list is the success (the page says so in a toast).
	 */
	save: async ({ request }) => {
		const { db, secrets } = await getRuntime();
		const form = await addConnectorForm(request);
		const { apiKey } = form.data;
		form.data.apiKey = '';
		if (!form.valid) return fail(400, { form });
		try {
			await createConnector(db, secrets, createInput(form.data, apiKey));
		} catch (error) {
			return formError(form, error, CONNECTOR_FORM_ERRORS);
		}
		redirect(303, withBase('/connectors'));
	}
} satisfies Actions;
