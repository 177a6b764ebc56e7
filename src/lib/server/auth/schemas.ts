/**
 * Valibot schemas of the login and setup forms. They live in `$lib/schemas/auth` (the browser
 * validates with them too); this module re-exports them for server code.
 */
export {
	PASSWORD_MAX,
	PASSWORD_MIN,
	USERNAME_MAX,
	newPasswordSchema,
	loginSchema,
	usernameSchema,
	setupSchema,
	type LoginInput,
	type SetupInput
} from '$lib/schemas/auth';
