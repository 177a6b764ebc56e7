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
		interface PageData {
			/** Settings → General → display name, from the (app) layout; document titles use it. */
			displayName?: string;
			/** Settings → General → time zone, from the (app) layout: absolute times are shown in it. */
			timeZone?: string;
		}
		// interface PageState {}
		// interface Platform {}
	}
}

/** Build facts injected by Vite's `define` (vite.config.ts): Settings → About. */
declare global {
	/** package.json `version`. */
	const __APP_VERSION__: string;
	/** Short git commit, `COMRADARR_COMMIT`, or "unknown". */
	const __APP_COMMIT__: string;
	/** ISO 8601 time of the build. */
	const __APP_BUILD_DATE__: string;
	/** package.json `homepage` (the repository's web page), or '' when it has none. */
	const __APP_HOMEPAGE__: string;
}

export {};
