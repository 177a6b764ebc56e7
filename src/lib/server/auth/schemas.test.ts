import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { superValidate } from 'sveltekit-superforms';
import { valibot } from 'sveltekit-superforms/adapters';
import { loginSchema, setupSchema } from './schemas';

function formData(fields: Record<string, string>): FormData {
	const data = new FormData();
	for (const [k, value] of Object.entries(fields)) data.set(k, value);
	return data;
}

describe('setup form', () => {
	it('accepts a username and a confirmed password of at least 8 characters', async () => {
		const form = await superValidate(
			formData({ username: 'admin', password: 'correct horse', confirmPassword: 'correct horse' }),
			valibot(setupSchema)
		);
		expect(form.valid).toBe(true);
		expect(form.data).toEqual({
			username: 'admin',
			password: 'correct horse',
			confirmPassword: 'correct horse'
		});
	});

	it('says which field is wrong: short password, mismatched confirmation, spaces in the username', async () => {
		const short = await superValidate(
			formData({ username: 'admin', password: 'short', confirmPassword: 'short' }),
			valibot(setupSchema)
		);
		expect(short.valid).toBe(false);
		expect(short.errors.password).toEqual(['Use at least 8 characters.']);

		const mismatch = await superValidate(
			formData({ username: 'admin', password: 'long enough', confirmPassword: 'long enougH' }),
			valibot(setupSchema)
		);
		expect(mismatch.valid).toBe(false);
		expect(mismatch.errors.confirmPassword).toEqual(['The passwords do not match.']);
		expect(mismatch.errors.password).toBeUndefined();

		const spaces = await superValidate(
			formData({ username: 'the admin', password: 'long enough', confirmPassword: 'long enough' }),
			valibot(setupSchema)
		);
		expect(spaces.errors.username?.[0]).toMatch(/no spaces/);
	});

	it('refuses control characters in the username with a message on the field', async () => {
		const form = await superValidate(
			formData({
				username: 'ad\u0000min',
				password: 'long enough',
				confirmPassword: 'long enough'
			}),
			valibot(setupSchema)
		);
		expect(form.valid).toBe(false);
		expect(form.errors.username?.[0]).toMatch(/must not contain control characters/);
	});

	it('builds an empty form for the page load', async () => {
		const form = await superValidate(valibot(setupSchema));
		expect(form.data).toEqual({ username: '', password: '', confirmPassword: '' });
		expect(form.valid).toBe(false);
	});
});

describe('login form', () => {
	it('requires both fields', async () => {
		const form = await superValidate(
			formData({ username: '', password: '' }),
			valibot(loginSchema)
		);
		expect(form.errors.username).toEqual(['Enter your username.']);
		expect(form.errors.password).toEqual(['Enter your password.']);
	});

	it('refuses control characters in the username before any query (NUL was a 500)', async () => {
		for (const username of ['ad\u0000min', 'admin\n', 'a\tb']) {
			const form = await superValidate(
				formData({ username, password: 'whatever' }),
				valibot(loginSchema)
			);
			expect(form.valid).toBe(false);
			expect(form.errors.username).toEqual([
				'The username must not contain control characters (tabs, line breaks, NUL…).'
			]);
		}
	});

	it('does not impose the setup rules on login (an 8-character rule would leak nothing but help nobody)', () => {
		expect(v.safeParse(loginSchema, { username: 'a b', password: 'x' }).success).toBe(true);
	});
});
