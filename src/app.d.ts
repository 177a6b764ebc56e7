// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
	namespace App {
		interface Error {
			message: string;
			/** Stable dotted error code (`auth.required`, `connectors.not_found`…), when there is one. */
			code?: string;
		}
		interface Locals {
			/** The signed-in user (by session cookie, or the owner of the API key); null when anonymous. */
			user: { id: number; username: string } | null;
			/** Set when the request authenticated with `X-Api-Key`. */
			apiKey: { id: number; readOnly: boolean } | null;
			/** Random id of this request: the `X-Request-Id` response header and the logs' `cid`. */
			requestId: string;
			/** Settings → Security authentication mode in force (the layout warns about the weak ones). */
			authMode: import('$lib/server/services/settings/settings-service').AuthMode;
			/** How this request was let in; null when anonymous (see `http/guard.ts`). */
			authMethod: import('$lib/server/http/guard').AuthMethod | null;
		}
		// interface PageData {}
		// interface PageState {}
		// interface Platform {}
	}
}

export {};
