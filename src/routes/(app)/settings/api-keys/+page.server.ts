import { error, type RequestEvent } from '@sveltejs/kit';
import { fail, superValidate } from 'sveltekit-superforms';
import { valibot } from 'sveltekit-superforms/adapters';
import * as v from 'valibot';
import { createApiKey, deleteApiKey, listApiKeys } from '$lib/server/auth/api-keys';
import { getDb } from '$lib/server/db';
import { formError, formMessageError, formSuccess, type FormMessage } from '$lib/server/forms';
import { moduleLogger } from '$lib/server/logger';
import { createApiKeySchema, type CreateApiKeyInput } from '$lib/schemas/api-keys';
import type { Actions, PageServerLoad } from './$types';

const log = moduleLogger('settings');

const revokeSchema = v.object({
	id: v.pipe(v.number('Not a key of this list.'), v.integer(), v.minValue(1))
});

function signedInUser(event: Pick<RequestEvent, 'locals'>): { id: number; username: string } {
	// The guard lets no anonymous request reach this page; this only narrows the type.
	if (!event.locals.user) error(401, 'Log in first.');
	return event.locals.user;
}

export const load = (async (event) => {
	const user = signedInUser(event);
	return {
		keys: await listApiKeys(getDb(), user.id),
		form: await superValidate<CreateApiKeyInput, FormMessage>(valibot(createApiKeySchema), {
			id: 'create'
		})
	};
}) satisfies PageServerLoad;

export const actions = {
	/**
	 * Creates a key. The key itself is in this response only (`key`), never in the page data,
	 * a log line or the database.
	 */
	create: async (event) => {
		const user = signedInUser(event);
		const form = await superValidate<CreateApiKeyInput, FormMessage>(
			event.request,
			valibot(createApiKeySchema),
			{ id: 'create' }
		);
		if (!form.valid) return fail(400, { form });
		try {
			const created = await createApiKey(getDb(), {
				userId: user.id,
				name: form.data.name,
				readOnly: form.data.scope === 'read',
				rateLimitPerMinute: form.data.rateLimitPerMinute
			});
			log.info(
				{ cid: event.locals.requestId, userId: user.id, keyId: created.id, scope: form.data.scope },
				'API key created'
			);
			form.message = { type: 'success', text: `API key “${form.data.name}” created.` };
			return { form, created };
		} catch (err) {
			return formError(form, err);
		}
	},

	/** Revokes one of the user's keys; the next request with it gets 401. */
	revoke: async (event) => {
		const user = signedInUser(event);
		const form = await superValidate(event.request, valibot(revokeSchema), { id: 'revoke' });
		if (!form.valid) return fail(400, { form });
		const deleted = await deleteApiKey(getDb(), { id: form.data.id, userId: user.id });
		if (!deleted) return formMessageError(form, 'That key was already revoked.', 404);
		log.info(
			{ cid: event.locals.requestId, userId: user.id, keyId: form.data.id },
			'API key revoked'
		);
		return formSuccess(form, 'API key revoked.');
	}
} satisfies Actions;
