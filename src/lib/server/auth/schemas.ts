/**
 * Valibot schemas of the login and setup forms (used with superforms on the server).
 */
import * as v from 'valibot';
import { noControlCharacters } from '../../text-rules';

/** Longest password accepted; Argon2 handles more, but nobody types a kilobyte. */
export const PASSWORD_MAX = 256;
export const PASSWORD_MIN = 8;
/** `users.username` is varchar(64). */
export const USERNAME_MAX = 64;

export const loginSchema = v.object({
	username: v.pipe(
		v.string(),
		v.minLength(1, 'Enter your username.'),
		v.maxLength(USERNAME_MAX, `At most ${USERNAME_MAX} characters.`),
		// PostgreSQL refuses NUL in text: without this a NUL in the username was a 500.
		noControlCharacters('The username')
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
	noControlCharacters('The username'),
	v.regex(/^[A-Za-z0-9._@-]+$/, 'Use letters, digits and . _ @ - only (no spaces).')
);

export const newPasswordSchema = v.pipe(
	v.string(),
	v.minLength(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters.`),
	v.maxLength(PASSWORD_MAX, `At most ${PASSWORD_MAX} characters.`)
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
