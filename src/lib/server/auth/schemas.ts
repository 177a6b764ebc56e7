/**
 * Valibot schemas of the login and setup forms (used with superforms on the server).
 */
import * as v from 'valibot';
// The limits and the new-password rule are shared with the browser (client-side validation).
import { PASSWORD_MAX, USERNAME_MAX, newPasswordSchema } from '$lib/schemas/auth';

export { PASSWORD_MAX, PASSWORD_MIN, USERNAME_MAX, newPasswordSchema } from '$lib/schemas/auth';

export const loginSchema = v.object({
	username: v.pipe(
		v.string(),
		v.minLength(1, 'Enter your username.'),
		v.maxLength(USERNAME_MAX, `At most ${USERNAME_MAX} characters.`)
	),
	password: v.pipe(
		v.string(),
		v.minLength(1, 'Enter your password.'),
		v.maxLength(PASSWORD_MAX, `At most ${PASSWORD_MAX} characters.`)
	)
});

export const usernameSchema = v.pipe(
	v.string(),
	v.minLength(1, 'Choose a username.'),
	v.maxLength(USERNAME_MAX, `At most ${USERNAME_MAX} characters.`),
	v.regex(/^[A-Za-z0-9._@-]+$/, 'Use letters, digits and . _ @ - only (no spaces).')
);

export const setupSchema = v.pipe(
	v.object({
		username: usernameSchema,
		password: newPasswordSchema,
		confirmPassword: v.string()
	}),
	v.forward(
		v.partialCheck(
			[['password'], ['confirmPassword']],
			(input) => input.password === input.confirmPassword,
			'The passwords do not match.'
		),
		['confirmPassword']
	)
);

export type LoginInput = v.InferOutput<typeof loginSchema>;
export type SetupInput = v.InferOutput<typeof setupSchema>;
