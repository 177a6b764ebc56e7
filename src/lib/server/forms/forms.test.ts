import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { superValidate } from 'sveltekit-superforms';
import { valibot } from 'sveltekit-superforms/adapters';
import { DomainError } from '$lib/server/errors';
import { SecretError } from '$lib/server/crypto/secrets';
import { ApiError } from '$lib/server/http/api';
import { formError, formMessageError, formSuccess } from './index';

const schema = v.object({
	name: v.pipe(v.string(), v.minLength(1, 'Enter a name.')),
	timeoutSeconds: v.optional(v.number(), 30),
	nested: v.optional(v.object({ port: v.optional(v.number(), 80) }), { port: 80 })
});

async function validForm() {
	return superValidate(
		{ name: 'Sonarr', timeoutSeconds: 30, nested: { port: 80 } },
		valibot(schema)
	);
}

describe('formError: the one domain-error → form-error mapper', () => {
	it('puts each valibot issue on its field by dotted path, with 400', async () => {
		const form = await validForm();
		const inner = v.object({
			name: v.literal('x', 'Must be x.'),
			nested: v.object({ port: v.literal(1, 'Port 1 only.') })
		});
		const result = v.safeParse(inner, { name: 'y', nested: { port: 2 } });
		expect(result.success).toBe(false);
		const error = new v.ValiError(result.issues as never);
		const failure = formError(form, error);
		expect(failure.status).toBe(400);
		expect(form.valid).toBe(false);
		expect(form.errors.name).toEqual(['Must be x.']);
		expect(form.errors.nested?.port).toEqual(['Port 1 only.']);
		expect(form.message).toBeUndefined();
	});

	it('puts a coded error’s fields on the form, renaming service fields, with the error’s status', async () => {
		const form = await validForm();
		const failure = formError(
			form,
			new DomainError('connectors.invalid', 'Refused', {
				status: 409,
				fields: { name: 'Name is taken.', timeoutMs: 'Too short.' }
			}),
			{ rename: { timeoutMs: 'timeoutSeconds' } }
		);
		expect(failure.status).toBe(409);
		expect(failure.data.form).toBe(form);
		expect(form.errors.name).toEqual(['Name is taken.']);
		expect(form.errors.timeoutSeconds).toEqual(['Too short.']);
		expect(form.message).toBeUndefined();
	});

	it('turns messages for fields the form does not have into the form message, so nothing is lost', async () => {
		const form = await validForm();
		formError(form, new DomainError('x.y', 'Refused', { fields: { elsewhere: 'Not here.' } }));
		expect(form.message).toEqual({ type: 'error', text: 'Not here.' });
		expect(form.valid).toBe(false);
	});

	it('uses the message of a coded error without fields (an ApiError too) as the form message', async () => {
		const form = await validForm();
		const failure = formError(form, new ApiError(404, 'api_keys.not_found', 'No such key.'));
		expect(failure.status).toBe(404);
		expect(form.message).toEqual({ type: 'error', text: 'No such key.' });

		const other = await validForm();
		// An undecryptable stored key says what to do, not what the cipher said.
		const secret = new SecretError('Unsupported state or unable to authenticate data');
		expect(formError(other, secret).status).toBe(409);
		expect(other.message).toEqual({
			type: 'error',
			text: 'The stored API key cannot be decrypted with the current SECRET_KEY; enter the key again.'
		});
	});

	it('does not take any error with a code for a refusal (a file-system error has one too)', async () => {
		const form = await validForm();
		const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/data/x'"), {
			code: 'ENOENT'
		});
		expect(() => formError(form, enoent)).toThrow(enoent);
		expect(form.message).toBeUndefined();
	});

	it('rethrows anything that is not a validation or coded error (a 500, never a message from it)', async () => {
		const form = await validForm();
		const boom = new Error('connection refused to postgres://secret@db');
		expect(() => formError(form, boom)).toThrow(boom);
		expect(() => formError(form, 'a string')).toThrow();
		expect(form.message).toBeUndefined();
	});

	it('marks successes and whole-form errors with the shared message shape', async () => {
		const form = await validForm();
		formSuccess(form, 'Saved.');
		expect(form.message).toEqual({ type: 'success', text: 'Saved.' });
		const failure = formMessageError(form, 'Gone.', 404);
		expect(failure).toMatchObject({ status: 404 });
		expect(form.message).toEqual({ type: 'error', text: 'Gone.' });
	});
});
