/**
 * The colour-scheme set-up, shared by mode-watcher's component (src/routes/+layout.svelte) and
 * the inline script that applies the stored choice before the first paint (app.html's
 * `%comradarr.theme%`, filled in by hooks.server.ts with mode-watcher's own
 * `createInitialModeExpression`). mode-watcher would inject that script itself, but without the
 * Content-Security-Policy nonce, so the page would either flash or need 'unsafe-inline'.
 */
export const THEME_CONFIG = {
	/** Follow the system preference until the user picks light or dark in the theme menu. */
	defaultMode: 'system'
} as const;

/** The placeholder in app.html the theme script replaces. */
export const THEME_SCRIPT_PLACEHOLDER = '%comradarr.theme%';
