/**
 * Password and username limits and the Change-password form, shared by the server and the
 * browser (client-side validation). Pure valibot: nothing here may import server code.
 */
import * as v from 'valibot';

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
