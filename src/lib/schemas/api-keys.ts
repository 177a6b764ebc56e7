/**
 * The Create-API-key form and the limits of an API key, shared by the server (service, action)
 * and the browser (client-side validation). Pure valibot: nothing here may import server code.
 */
import * as v from 'valibot';

/** `api_keys.name` is varchar(100). */
export const API_KEY_NAME_MAX = 100;
/** Requests per minute a key may make: the column default, and the range the form accepts. */
export const API_KEY_RATE_LIMIT = { default: 120, min: 1, max: 10_000 } as const;
export const API_KEY_SCOPES = ['read', 'full'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const PRINTABLE = /^[^\u0000-\u001f\u007f]*$/;

export const createApiKeySchema = v.object({
	/** What the key is for ("Home Assistant", "backup script"): the `name` column. */
	name: v.pipe(
		v.string(),
		v.trim(),
		v.minLength(1, 'Describe what the key is for.'),
		v.maxLength(API_KEY_NAME_MAX, `At most ${API_KEY_NAME_MAX} characters.`),
		v.regex(PRINTABLE, 'Control characters are not allowed.')
	),
	scope: v.picklist(API_KEY_SCOPES, 'Choose read-only or full access.'),
	rateLimitPerMinute: v.optional(
		v.pipe(
			v.number('Enter a number of requests per minute.'),
			v.integer('Whole numbers only.'),
			v.minValue(API_KEY_RATE_LIMIT.min, `At least ${API_KEY_RATE_LIMIT.min} request per minute.`),
			v.maxValue(API_KEY_RATE_LIMIT.max, `At most ${API_KEY_RATE_LIMIT.max} requests per minute.`)
		),
		API_KEY_RATE_LIMIT.default
	)
});

export type CreateApiKeyInput = v.InferOutput<typeof createApiKeySchema>;
