import { error } from '@sveltejs/kit';
import { fail, message } from 'sveltekit-superforms';
import { formError, formSuccess } from '$lib/server/forms';
import { getRuntime } from '$lib/server/runtime';
import { toResource } from '$lib/server/api/v1';
import { connectorActivity } from '$lib/server/db/queries/connector-detail';
import {
	ConnectorNotFoundError,
	connectorTags,
	getConnector,
	testConnectorEdit,
	toView,
	updateConnector
} from '$lib/server/services/connectors/connector-service';
import {
	CONNECTOR_FORM_ERRORS,
	connectedMessage,
	connectionFieldsValid,
	connectionInput,
	editConnectorForm,
	editValues,
	updateInput
} from '../connector-form.server';
import {
	checkAction,
	deleteAction,
	parseConnectorId,
	sweepAction,
	syncAction
} from '../connector-actions.server';
import { getSettings } from '$lib/server/services/settings/settings-service';
import { profileChoices } from '$lib/server/services/queue/throttle-profiles';
import { webhookAction, webhookSetup } from './webhook.server';
import type { Actions, PageServerLoad } from './$types';

/** The connector of the route, or a 404. */
async function routeConnector(rawId: string) {
	const { db } = await getRuntime();
	const id = parseConnectorId(rawId);
	if (id === null) error(404, 'Connector not found');
	try {
		return await getConnector(db, id);
	} catch (err) {
		if (err instanceof ConnectorNotFoundError) error(404, 'Connector not found');
		throw err;
	}
}

/** The connector, its numbers, health and sync history — from PostgreSQL only. */
export const load = (async ({ params, url }) => {
	const { db } = await getRuntime();
	const connector = await routeConnector(params.id);
	const { stats, success, healthEvents, syncRuns } = await connectorActivity(
		db,
		connector.id,
		(await getSettings(db)).general.timeZone
	);
	return {
		connector: toResource(connector, stats),
		queuedCommands: stats.queuedCommands,
		lastSyncError: stats.lastSyncError,
		success,
		healthEvents,
		syncRuns,
		form: await editConnectorForm(toView(connector)),
		/** The choices of the settings form: throttle profiles and the app's mirrored tags. */
		throttleProfiles: await profileChoices(db),
		tags: await connectorTags(db, connector.id),
		webhook: webhookSetup(url.origin, connector)
	};
}) satisfies PageServerLoad;

// Named actions only: SvelteKit does not allow a default action next to named ones.
export const actions = {
	/**
	 * Tests the form's connection fields; saves nothing. An empty key field means the stored key,
	 * which is only sent while the URL keeps its scheme, host and port (else an `apiKey` error).
	 */
	test: async ({ params, request }) => {
		const { secrets } = await getRuntime();
		const connector = await routeConnector(params.id);
		const form = await editConnectorForm(request);
		const typedKey = form.data.apiKey;
		form.data.apiKey = '';
		if (!connectionFieldsValid(form)) return fail(400, { form });
		try {
			const status = await testConnectorEdit(
				connector,
				secrets,
				connectionInput(form.data, typedKey)
			);
			return message(form, connectedMessage(status));
		} catch (err) {
			return formError(form, err, CONNECTOR_FORM_ERRORS);
		}
	},

	/** Saves the edit; changed connection details are tested first and nothing is written on error. */
	save: async ({ params, request }) => {
		const { db, secrets } = await getRuntime();
		const connector = await routeConnector(params.id);
		const form = await editConnectorForm(request);
		const { apiKey } = form.data;
		form.data.apiKey = '';
		if (!form.valid) return fail(400, { form });
		try {
			const view = await updateConnector(db, secrets, connector.id, updateInput(form.data, apiKey));
			form.data = editValues(view);
			// The status card shows a version warning from the reloaded page data.
			return formSuccess(form, `Saved the settings of “${view.name}”.`);
		} catch (err) {
			if (err instanceof ConnectorNotFoundError) error(404, 'Connector not found');
			return formError(form, err, CONNECTOR_FORM_ERRORS);
		}
	},

	/** Generates the webhook secret (or a new one); the answer is the only place it appears. */
	webhook: async ({ params, request, url }) =>
		webhookAction(request, url.origin, await routeConnector(params.id)),

	check: checkAction,
	sync: syncAction,
	sweep: sweepAction,
	delete: (event) => deleteAction(event, '/connectors')
} satisfies Actions;
