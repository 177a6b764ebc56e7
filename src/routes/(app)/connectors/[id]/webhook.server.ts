/**
 * The webhook part of the connector page: what its load returns and the `?/webhook` action that
 * generates (or replaces) the secret. The secret is only in the action's answer.
 */
import { fail } from '@sveltejs/kit';
import { superValidate } from 'sveltekit-superforms';
import { valibot } from 'sveltekit-superforms/adapters';
import * as v from 'valibot';
import type { Connector } from '$lib/server/db/schema';
import { formError, type FormMessage } from '$lib/server/forms';
import { basePathFromEnv } from '$lib/server/http/base-path';
import { getRuntime } from '$lib/server/runtime';
import { rotateWebhookSecret, webhookUrl } from '$lib/server/services/webhooks';
import type { WebhookSecretAnswer, WebhookSetupData } from '$lib/types/webhooks';

/** The action posts nothing but its name. */
const rotateSchema = v.object({});

/** The page's view of the webhook, for the request's origin (and BASE_URL). */
export function webhookSetup(origin: string, connector: Connector): WebhookSetupData {
	return {
		url: webhookUrl(origin, basePathFromEnv(), connector.id),
		configured: connector.webhookSecretHash !== null,
		createdAt: connector.webhookSecretCreatedAt
	};
}

/**
 * `?/webhook`: a new secret for `connector`; the old one stops working at once.
 * @returns `{form, webhook: {url, secret}}` — the secret in this answer only.
 */
export async function webhookAction(request: Request, origin: string, connector: Connector) {
	const form = await superValidate<Record<string, never>, FormMessage>(
		request,
		valibot(rotateSchema),
		{ id: 'webhook' }
	);
	if (!form.valid) return fail(400, { form });
	const { db } = await getRuntime();
	try {
		const { secret } = await rotateWebhookSecret(db, connector.id, () => new Date());
		const webhook: WebhookSecretAnswer = { url: webhookSetup(origin, connector).url, secret };
		form.message = {
			type: 'success',
			text: connector.webhookSecretHash
				? 'New webhook secret generated: the old one no longer works.'
				: 'Webhook secret generated.'
		};
		return { form, webhook };
	} catch (err) {
		return formError(form, err);
	}
}
