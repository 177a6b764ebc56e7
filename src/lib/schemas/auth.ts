/**
 * Password and username limits, the login, setup and Change-password forms, shared by the server and the
 * browser (client-side validation). Pure valibot: nothing here may import server code.
 */
import * as v from 'valibot';
import { noControlCharacters } from '$lib/text-rules';

/** Longest password accepted; Argon2 handles more, but nobody types a kilobyte. */
export const PASSWORD_MAX = 256;
export const PASSWORD_MIN = 8;
/** `users.username` is varchar(64). */
export const USERNAME_MAX = 64;

/** A new password: 8–256 characters (setup, ADMIN_PASS, Change password). */
export const newPasswordSchema = v.pipe(
	v.string(),
	v.minLength(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters.`),
	v.maxLength(PASSWORD_MAX, `At most ${PASSWORD_MAX} characters.`)
);

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

/** Settings → Security → Change password. The current password is checked by the server. */
export const changePasswordSchema = v.pipe(
	v.object({
		currentPassword: v.pipe(
			v.string(),
			v.minLength(1, 'Enter your current password.'),
			v.maxLength(PASSWORD_MAX, `At most ${PASSWORD_MAX} characters.`)
		),
		newPassword: newPasswordSchema,
		confirmPassword: v.string()
	}),
	v.forward(
		v.partialCheck(
			[['newPassword'], ['confirmPassword']],
			(input) => input.newPassword === input.confirmPassword,
			'The passwords do not match.'
		),
		['confirmPassword']
	)
);

export type ChangePasswordInput = v.InferOutput<typeof changePasswordSchema>;
