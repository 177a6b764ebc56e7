/**
 * Schemas of the General and Security settings sections and their forms, shared by the server
 * (settings service, form actions) and the browser (superforms' client-side validation), so each
 * rule and limit is written once. Pure valibot: nothing here may import server code.
 */
import * as v from 'valibot';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * How the app decides who is signed in (Settings → Security):
 * - `full`: session cookie or API key, always (the default);
 * - `local_bypass`: requests whose **socket peer** is loopback or a private range (RFC 1918,
 *   RFC 4193) are treated as the admin without logging in; never decided on headers unless the
 *   peer is one of `TRUSTED_PROXIES`;
 * - `proxy_header`: a reverse proxy that authenticates users (Authelia, Authentik, oauth2-proxy)
 *   names the user in a header (e.g. `Remote-User`), believed only from `TRUSTED_PROXIES`;
 * - `disabled`: no authentication at all; every page shows a warning banner.
 */
export const AUTH_MODES = ['full', 'local_bypass', 'proxy_header', 'disabled'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** Limits of the settings fields; the forms show the same numbers. */
export const DISPLAY_NAME_MAX = 64;
export const SESSION_MAX_AGE_DAYS = { min: 1, max: 365 } as const;
export const PROXY_HEADER_MAX = 64;

/** True when `zone` is an IANA time zone this runtime knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(zone: string): boolean {
	if (zone.trim() === '') return false;
	try {
		new Intl.DateTimeFormat('en-US', { timeZone: zone });
		return true;
	} catch {
		return false;
	}
}

// Printable text only: a NUL or another control character in a stored name breaks logs and
// PostgreSQL text (it cannot hold NUL at all).
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const PRINTABLE = /^[^\u0000-\u001f\u007f]*$/;

export const generalSettingsSchema = v.object({
	/** Shown in the header and the page titles. */
	displayName: v.pipe(
		v.string(),
		v.trim(),
		v.minLength(1, 'Enter a display name.'),
		v.maxLength(DISPLAY_NAME_MAX, `At most ${DISPLAY_NAME_MAX} characters.`),
		v.regex(PRINTABLE, 'Control characters are not allowed.')
	),
	/** IANA zone for daily budgets, schedules and displayed times. */
	timeZone: v.pipe(
		v.string(),
		v.trim(),
		v.check(isTimeZone, 'Not a known time zone (e.g. Europe/Berlin, America/New_York, UTC).')
	),
	logLevel: v.picklist(LOG_LEVELS, 'Choose one of trace, debug, info, warn, error.')
});

/** Header names are tokens (RFC 9110 §5.1); lower-cased when compared. */
const HEADER_NAME = new RegExp(`^[!#$%&'*+.^_\`|~0-9A-Za-z-]{1,${PROXY_HEADER_MAX}}$`);

export const securitySettingsSchema = v.object({
	authMode: v.picklist(AUTH_MODES, 'Choose an authentication mode.'),
	/** The header naming the signed-in user in `proxy_header` mode. */
	proxyHeader: v.pipe(
		v.string(),
		v.trim(),
		v.regex(HEADER_NAME, 'A header name such as Remote-User (letters, digits and -).')
	),
	/**
	 * A session ends this many days after login however active it is (besides the sliding 7 days
	 * of inactivity).
	 */
	sessionMaxAgeDays: v.pipe(
		v.number('Enter a number of days.'),
		v.integer('Whole days only.'),
		v.minValue(SESSION_MAX_AGE_DAYS.min, `At least ${SESSION_MAX_AGE_DAYS.min} day.`),
		v.maxValue(SESSION_MAX_AGE_DAYS.max, `At most ${SESSION_MAX_AGE_DAYS.max} days.`)
	)
});

/**
 * The Security form: the section plus the explicit confirmation that turning authentication off
 * requires (not stored; asked again each time `disabled` is saved).
 */
export const securityFormSchema = v.pipe(
	v.object({
		...securitySettingsSchema.entries,
		confirmDisabled: v.optional(v.boolean(), false)
	}),
	v.forward(
		v.partialCheck(
			[['authMode'], ['confirmDisabled']],
			(input) => input.authMode !== 'disabled' || input.confirmDisabled,
			'Tick the box to confirm that anyone who can reach Comradarr may use it.'
		),
		['confirmDisabled']
	)
);

/** Largest weight of one search-priority signal (points; an item's base score is 100). */
export const SEARCH_WEIGHT_MAX = 5_000;

const weight = (label: string) =>
	v.pipe(
		v.number(`${label}: enter a number of points.`),
		v.integer(`${label}: whole points only.`),
		v.minValue(0, `${label}: at least 0.`),
		v.maxValue(SEARCH_WEIGHT_MAX, `${label}: at most ${SEARCH_WEIGHT_MAX}.`)
	);

/** Limits of the post-release grace period (hours; 0 = off). */
export const GRACE_PERIOD_HOURS = { min: 0, max: 168, default: 6 } as const;

const gracePeriodHours = v.pipe(
	v.number('Grace period: enter a number of hours.'),
	v.integer('Grace period: whole hours only.'),
	v.minValue(GRACE_PERIOD_HOURS.min, `Grace period: at least ${GRACE_PERIOD_HOURS.min}.`),
	v.maxValue(GRACE_PERIOD_HOURS.max, `Grace period: at most ${GRACE_PERIOD_HOURS.max} hours.`)
);

/** Limits of the searches an item gets before it is exhausted (default 10, the spec's). */
export const MAX_SEARCH_ATTEMPTS = { min: 1, max: 100, default: 10 } as const;

const maxAttempts = v.pipe(
	v.number('Max attempts: enter a number of searches.'),
	v.integer('Max attempts: whole searches only.'),
	v.minValue(MAX_SEARCH_ATTEMPTS.min, `Max attempts: at least ${MAX_SEARCH_ATTEMPTS.min}.`),
	v.maxValue(MAX_SEARCH_ATTEMPTS.max, `Max attempts: at most ${MAX_SEARCH_ATTEMPTS.max}.`)
);

/**
 * Limits of the wait after a search that found nothing (days; 0 = the standard cooldown, the
 * connector's or its throttle profile's, 24 h for the presets). Default 30: the *arr app's own
 * RSS sync grabs a release of a wanted, monitored item as soon as it is posted (Sonarr
 * `RssSyncService` → `DownloadDecisionMaker` with the same specifications as a search), so a
 * backlog search that found nothing only needs repeating for what RSS can miss (an indexer that
 * was down, one added later, an old release re-posted); the effectiveness benchmark
 * (tests/bench/RESULTS.md) measures what a shorter wait costs in indexer queries.
 */
export const NO_RESULTS_COOLDOWN_DAYS = { min: 0, max: 365, default: 30 } as const;

const noResultsCooldownDays = v.pipe(
	v.number('No-results wait: enter a number of days.'),
	v.integer('No-results wait: whole days only.'),
	v.minValue(
		NO_RESULTS_COOLDOWN_DAYS.min,
		`No-results wait: at least ${NO_RESULTS_COOLDOWN_DAYS.min}.`
	),
	v.maxValue(
		NO_RESULTS_COOLDOWN_DAYS.max,
		`No-results wait: at most ${NO_RESULTS_COOLDOWN_DAYS.max} days.`
	)
);

/**
 * Settings → Search behaviour: the weights of the item score (points; the model is documented in
 * services/queue/prioritizer.ts) and the post-release grace period.
 */
export const searchSettingsSchema = v.object({
	/**
	 * Hours after release (episode `airDateUtc`, movie release date) before an item is queued: RSS
	 * usually catches new releases, and early searches grab fakes. 0 = off. Absent in sections
	 * stored before it existed: the default.
	 */
	gracePeriodHours: v.optional(gracePeriodHours, GRACE_PERIOD_HOURS.default),
	/**
	 * Searches of an item that found nothing before it is `exhausted` (searched no more until the
	 * user clears its search state). Absent in sections stored before it existed: the default.
	 */
	maxAttempts: v.optional(maxAttempts, MAX_SEARCH_ATTEMPTS.default),
	/**
	 * Days an item waits after its first search that found nothing; each further one waits the
	 * throttle profile's backoff multiplier times longer, up to three times this (registry-states.ts
	 * `cooldownFor`). 0 = the standard cooldown. Absent in sections stored before it existed: the
	 * default.
	 */
	noResultsCooldownDays: v.optional(noResultsCooldownDays, NO_RESULTS_COOLDOWN_DAYS.default),
	weights: v.object({
		/** For content released today, falling to 0 at one year old. */
		contentAge: weight('Content age'),
		/** For a gap known for 30 days or more, rising from 0. */
		missingDuration: weight('Missing duration'),
		/** Taken off per earlier search of ours that found nothing. */
		failurePenalty: weight('Failure penalty'),
		/** For a missing item over an upgrade candidate. */
		gapOverUpgrade: weight('Gap over upgrade'),
		/** For an item neither Comradarr nor the app has ever searched. */
		neverSearched: weight('Never searched'),
		/** Up to this, by days since the last search (full at 30 days): the tie-break. */
		leastRecentlySearched: weight('Least recently searched')
	})
});

/** The weights a fresh install uses. */
export const DEFAULT_SEARCH_WEIGHTS: v.InferOutput<typeof searchSettingsSchema>['weights'] = {
	contentAge: 300,
	missingDuration: 100,
	failurePenalty: 50,
	gapOverUpgrade: 500,
	neverSearched: 50,
	leastRecentlySearched: 20
};

/** The Search behaviour form: the weights as top-level fields (a flat form posts without JS). */
export const searchWeightsFormSchema = searchSettingsSchema.entries.weights;
export type SearchWeightsInput = v.InferOutput<typeof searchWeightsFormSchema>;

/** The whole Search behaviour form: the weights and the grace period, flat. */
export const searchFormSchema = v.object({
	...searchWeightsFormSchema.entries,
	gracePeriodHours,
	maxAttempts,
	noResultsCooldownDays
});
export type SearchFormInput = v.InferOutput<typeof searchFormSchema>;

export type GeneralSettingsInput = v.InferOutput<typeof generalSettingsSchema>;
export type SecurityFormInput = v.InferOutput<typeof securityFormSchema>;

/**
 * The IANA zones this runtime knows, sorted, with `UTC` first (for the time-zone picker; the
 * server's list is sent to the page so the picker offers what the server accepts).
 */
export function timeZoneNames(): string[] {
	const zones = Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC');
	return ['UTC', ...zones.sort()];
}

/** Settings → Notifications: the master switch and the address links in messages point at. */
export const notificationSettingsSchema = v.object({
	/** Off: events are still recorded, nothing is routed or sent. */
	enabled: v.boolean(),
	/**
	 * Comradarr's address as users reach it (`https://comradarr.example.org/sub`), for `{url}`
	 * and message links; empty = links are left out.
	 */
	publicUrl: v.pipe(
		v.string(),
		v.trim(),
		v.maxLength(300, 'At most 300 characters.'),
		v.check((s) => s === '' || URL.canParse(s), 'Enter a full URL (https://…) or leave it empty.')
	)
});
