/**
 * Throttle profile schemas, shared by the service, the JSON API (`/api/v1/throttle-profiles`) and
 * the Settings → Throttle profiles form (superforms' client-side validation), so every limit and
 * message is written once. Pure valibot: nothing here may import server code.
 *
 * The API speaks the user's terms; the table (`throttle_profiles`) its own:
 * `commandsPerMinute` = `max_commands_per_window` (with `windowSeconds`, 60 unless given),
 * `batchSize` = `max_items_per_command`, `dailyBudget` = `daily_search_budget`.
 */
import * as v from 'valibot';
import { noControlCharacters } from '$lib/text-rules';

/** `throttle_profiles.name` is varchar(50). */
export const THROTTLE_PROFILE_NAME_MAX = 50;

/** The limits of every figure of a profile, and its default where it has one. */
export const THROTTLE_LIMITS = {
	commandsPerMinute: { min: 1, max: 120 },
	/** The rolling window the commands count in, seconds (an advanced field; 60 = per minute). */
	windowSeconds: { min: 10, max: 3_600, default: 60 },
	batchSize: { min: 1, max: 100 },
	dailyBudget: { min: 1, max: 100_000 },
	/** The *arr apps run at most 3 commands at once (Sonarr/Radarr command queue). */
	maxInFlight: { min: 1, max: 3, default: 2 },
	errorCooldownSeconds: { min: 0, max: 86_400, default: 900 },
	backoffMultiplier: { min: 1, max: 10, default: 2 },
	searchCooldownHours: { min: 1, max: 24 * 90, default: 24 },
	/** At most this many active windows per profile. */
	activeWindows: { max: 6 }
} as const;

/** "HH:MM", 24 h. */
export const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;

const int = (label: string, { min, max }: { min: number; max: number }) =>
	v.pipe(
		v.number(`${label} must be a number`),
		v.integer(`${label} must be a whole number`),
		v.minValue(min, `${label} must be at least ${min}`),
		v.maxValue(max, `${label} must be at most ${max}`)
	);

const name = v.pipe(
	v.string('Name is required'),
	v.trim(),
	v.minLength(1, 'Name is required'),
	v.maxLength(THROTTLE_PROFILE_NAME_MAX, `Name is at most ${THROTTLE_PROFILE_NAME_MAX} characters`),
	noControlCharacters('Name')
);

const L = THROTTLE_LIMITS;
const commandsPerMinute = int('Commands per minute', L.commandsPerMinute);
const windowSeconds = int('The window', L.windowSeconds);
const batchSize = int('Batch size', L.batchSize);
const dailyBudget = int('Daily budget', L.dailyBudget);
const maxInFlight = int('Commands in flight', L.maxInFlight);
const errorCooldownSeconds = int('Error cooldown', L.errorCooldownSeconds);
const backoffMultiplier = v.pipe(
	v.number('Backoff multiplier must be a number'),
	v.minValue(
		L.backoffMultiplier.min,
		`Backoff multiplier must be at least ${L.backoffMultiplier.min}`
	),
	v.maxValue(
		L.backoffMultiplier.max,
		`Backoff multiplier must be at most ${L.backoffMultiplier.max}`
	)
);
const searchCooldownHours = int('Search cooldown', L.searchCooldownHours);

const timeOfDay = (label: string) =>
	v.pipe(
		v.string(`${label} must be a time (HH:MM)`),
		v.trim(),
		v.regex(TIME_OF_DAY, `${label} must be a time from 00:00 to 23:59 (HH:MM, 24 h)`)
	);

/** One allowed window, local time of Settings → General; `end` before `start` wraps midnight. */
export const activeWindowSchema = v.pipe(
	v.object({ start: timeOfDay('Start'), end: timeOfDay('End') }),
	v.forward(
		v.check(
			(w) => w.start !== w.end,
			'Start and end must differ (a window of 24 h is no window: leave the list empty)'
		),
		['end']
	)
);

const activeWindows = v.pipe(
	v.array(activeWindowSchema, 'Active windows must be a list of {start, end}'),
	v.maxLength(L.activeWindows.max, `At most ${L.activeWindows.max} active windows`)
);

/** The figures of a profile, each optional (an update, or what a copy overrides). */
const optionalFigures = {
	commandsPerMinute: v.optional(commandsPerMinute),
	windowSeconds: v.optional(windowSeconds),
	batchSize: v.optional(batchSize),
	dailyBudget: v.optional(dailyBudget),
	maxInFlight: v.optional(maxInFlight),
	errorCooldownSeconds: v.optional(errorCooldownSeconds),
	backoffMultiplier: v.optional(backoffMultiplier),
	activeWindows: v.optional(activeWindows),
	searchCooldownHours: v.optional(searchCooldownHours),
	/** True makes it the profile connectors without their own use (the previous one stops being it). */
	isDefault: v.optional(v.boolean('isDefault must be true or false'))
};

/** Body of `POST /api/v1/throttle-profiles` (a new profile): the optional figures get defaults. */
export const ThrottleProfileCreateSchema = v.object({
	name,
	commandsPerMinute,
	windowSeconds: v.optional(windowSeconds, L.windowSeconds.default),
	batchSize,
	dailyBudget,
	maxInFlight: v.optional(maxInFlight, L.maxInFlight.default),
	errorCooldownSeconds: v.optional(errorCooldownSeconds, L.errorCooldownSeconds.default),
	backoffMultiplier: v.optional(backoffMultiplier, L.backoffMultiplier.default),
	activeWindows: v.optional(activeWindows, []),
	searchCooldownHours: v.optional(searchCooldownHours, L.searchCooldownHours.default),
	isDefault: v.optional(v.boolean('isDefault must be true or false'), false)
});
export type ThrottleProfileCreateInput = v.InferOutput<typeof ThrottleProfileCreateSchema>;

/**
 * Body of `POST /api/v1/throttle-profiles` with `copyFrom`: a copy of that profile under a new
 * name, any figure given replacing the copied one.
 */
export const ThrottleProfileCopySchema = v.object({
	copyFrom: v.pipe(
		v.number('copyFrom must be a profile id'),
		v.integer('copyFrom must be a profile id'),
		v.minValue(1, 'copyFrom must be a profile id')
	),
	name,
	...optionalFigures
});
export type ThrottleProfileCopyInput = v.InferOutput<typeof ThrottleProfileCopySchema>;

/** Body of `PATCH /api/v1/throttle-profiles/{id}`: any field. */
export const ThrottleProfileUpdateSchema = v.object({ name: v.optional(name), ...optionalFigures });
export type ThrottleProfileUpdateInput = v.InferOutput<typeof ThrottleProfileUpdateSchema>;

// ---- The form --------------------------------------------------------------------------------

/**
 * The Settings → Throttle profiles form (create, edit, copy): every figure is shown and required;
 * posted as JSON by superforms (`dataType: 'json'`, the active windows are a list of rows).
 */
export const throttleProfileFormSchema = v.object({
	name,
	commandsPerMinute,
	batchSize,
	dailyBudget,
	maxInFlight,
	errorCooldownSeconds,
	backoffMultiplier,
	searchCooldownHours,
	activeWindows
});
export type ThrottleProfileFormValues = v.InferOutput<typeof throttleProfileFormSchema>;

/** The values of a new profile's form (Moderate's figures). */
export const NEW_PROFILE_VALUES: ThrottleProfileFormValues = {
	name: '',
	commandsPerMinute: 5,
	batchSize: 10,
	dailyBudget: 500,
	maxInFlight: L.maxInFlight.default,
	errorCooldownSeconds: L.errorCooldownSeconds.default,
	backoffMultiplier: L.backoffMultiplier.default,
	searchCooldownHours: L.searchCooldownHours.default,
	activeWindows: []
};

/** Minutes after midnight of "HH:MM". */
function minutes(time: string): number {
	return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** "01:00–07:00, 22:00–02:00 (overnight)", or "Any time" for no windows. */
export function describeWindows(windows: readonly { start: string; end: string }[]): string {
	if (windows.length === 0) return 'Any time';
	return windows
		.map((w) => `${w.start}–${w.end}${minutes(w.end) < minutes(w.start) ? ' (overnight)' : ''}`)
		.join(', ');
}
