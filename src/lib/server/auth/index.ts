/**
 * Authentication services: users, password hashing, sessions, login throttling and API keys.
 * Everything takes its database (and, where time matters, a clock) explicitly.
 */
export { systemClock, type Clock } from './clock';
export { hashPassword, verifyPassword } from './password';
export {
	hasUsers,
	findUserByUsername,
	createUser,
	createFirstUser,
	changePassword,
	type AuthUser
} from './users';
export {
	SESSION_COOKIE,
	SESSION_TTL_MS,
	createSession,
	validateSessionToken,
	invalidateSession,
	invalidateUserSessions,
	invalidateSessionById,
	invalidateOtherSessions,
	listSessions,
	deleteExpiredSessions,
	setSessionCookie,
	clearSessionCookie,
	type NewSession,
	type SessionClient,
	type SessionPolicy,
	type SessionSummary,
	type ValidSession
} from './session';
export {
	MAX_FAILED_LOGINS,
	LOCKOUT_MS,
	getLoginLock,
	recordLoginAttempt,
	pruneLoginAttempts,
	lockoutMessage
} from './rate-limit';
export { login, INVALID_CREDENTIALS_MESSAGE, type LoginResult } from './login';
export {
	API_KEY_HEADER,
	API_KEY_PREFIX,
	createApiKey,
	verifyApiKey,
	listApiKeys,
	deleteApiKey,
	apiKeyRateLimiter,
	type ApiKeyPrincipal,
	type ApiKeySummary
} from './api-keys';
