/**
 * valibot schemas for the *arr resources shared by every app (only the fields we use), and the
 * helper that parses a list item by item so one malformed item is skipped, never fatal.
 */
import * as v from 'valibot';
import { httpUrlOrNull } from '../../../safe-url';
import { ArrApiError } from './errors';
import type { ArrCommand, HealthItem, Parsed, QueueStatus, SystemStatus } from './types';

/** An ISO date-time string → Date (the apps write `yyyy-MM-ddTHH:mm:ssZ`; older ones add fractions). */
export const dateTime = v.pipe(
	v.string(),
	v.transform((s) => new Date(s)),
	v.check((d) => !Number.isNaN(d.getTime()), 'invalid date')
);
export const optionalDate = v.optional(v.nullable(dateTime), null);
export const optionalString = v.optional(v.nullable(v.string()), null);
export const optionalInt = v.optional(v.nullable(v.pipe(v.number(), v.integer())), null);
export const id = v.pipe(v.number(), v.integer(), v.minValue(1));

export const SystemStatusSchema = v.pipe(
	v.looseObject({
		appName: v.string(),
		version: v.string(),
		instanceName: optionalString,
		urlBase: optionalString
	}),
	v.transform((s): SystemStatus => ({
		appName: s.appName,
		version: s.version,
		instanceName: s.instanceName,
		urlBase: s.urlBase
	}))
);

export const HealthItemSchema = v.pipe(
	v.looseObject({
		source: optionalString,
		type: v.string(),
		message: v.optional(v.string(), ''),
		// A string on the wire, though Sonarr's spec types it as an HttpUri object (arr-api README §6).
		wikiUrl: v.optional(v.nullable(v.unknown()), null)
	}),
	v.transform((h): HealthItem => ({
		source: h.source,
		type: h.type,
		message: h.message,
		// Rendered as a link: only http(s) (a `javascript:` URL would run in our origin).
		wikiUrl: httpUrlOrNull(h.wikiUrl)
	}))
);

export const CommandSchema = v.pipe(
	v.looseObject({
		id,
		name: v.string(),
		status: v.string(),
		message: optionalString,
		queued: optionalDate,
		started: optionalDate,
		ended: optionalDate,
		body: v.optional(v.record(v.string(), v.unknown()), {})
	}),
	v.transform((c): ArrCommand => ({
		id: c.id,
		name: c.name,
		status: c.status,
		message: c.message,
		queued: c.queued,
		started: c.started,
		ended: c.ended,
		body: c.body
	}))
);

const count = v.pipe(v.number(), v.integer(), v.minValue(0));

/** QueueStatusResource of `GET /api/v3/queue/status`: `totalCount` is required, the rest default 0. */
export const QueueStatusSchema = v.pipe(
	v.looseObject({
		totalCount: count,
		count: v.optional(count, 0),
		unknownCount: v.optional(count, 0)
	}),
	v.transform((q): QueueStatus => ({
		totalCount: q.totalCount,
		count: q.count,
		unknownCount: q.unknownCount
	}))
);

/**
 * A valibot issue as a short reason that never quotes the value: a type mismatch says what was
 * expected and what type came instead (valibot's own message would echo a string value from the
 * app's body); validation messages in these schemas are ours and say what was expected.
 */
function issueReason(issue: v.BaseIssue<unknown>): string {
	if (issue.kind !== 'schema') return issue.message;
	const input = issue.input;
	const received = input === null ? 'null' : Array.isArray(input) ? 'array' : typeof input;
	return `expected ${issue.expected ?? 'another value'}, received ${received}`;
}

/**
 * Parses one resource.
 * @throws ArrApiError('invalid_response') naming the first problem.
 */
export function parseOne<S extends v.GenericSchema>(
	schema: S,
	value: unknown,
	what: string
): v.InferOutput<S> {
	const result = v.safeParse(schema, value);
	if (!result.success) {
		const issue = result.issues[0];
		const path = issue ? v.getDotPath(issue) : null;
		throw new ArrApiError(
			'invalid_response',
			`${what}: ${path ? `${path}: ` : ''}${issue ? issueReason(issue) : 'invalid'}`
		);
	}
	return result.output;
}

/**
 * Parses a list item by item: items that fail validation are skipped and counted.
 * @throws ArrApiError('invalid_response') when the value is not an array at all.
 */
export function parseList<S extends v.GenericSchema>(
	schema: S,
	value: unknown,
	what: string
): Parsed<v.InferOutput<S>> {
	if (!Array.isArray(value)) throw new ArrApiError('invalid_response', `${what}: expected a list`);
	const items: v.InferOutput<S>[] = [];
	const skippedIds: number[] = [];
	let skipped = 0;
	for (const item of value) {
		const result = v.safeParse(schema, item);
		if (result.success) {
			items.push(result.output);
			continue;
		}
		skipped++;
		// Keep the id of a malformed item when it has one, so sync never deletes what it could not read.
		const rawId = item && typeof item === 'object' ? (item as { id?: unknown }).id : undefined;
		if (typeof rawId === 'number' && Number.isInteger(rawId)) skippedIds.push(rawId);
	}
	return { items, skipped, skippedIds };
}

/** QualityProfileResource (Sonarr, Radarr, Whisparr): the fields that judge a file. */
export const QualityProfileSchema = v.looseObject({
	id,
	name: v.optional(v.nullable(v.string()), null),
	upgradeAllowed: v.optional(v.boolean(), false),
	cutoff: v.pipe(v.number(), v.integer()),
	cutoffFormatScore: v.optional(v.pipe(v.number(), v.integer()), 0),
	minFormatScore: v.optional(v.pipe(v.number(), v.integer()), 0)
});

/** TagResource. */
export const TagSchema = v.looseObject({ id, label: v.optional(v.nullable(v.string()), null) });

/** HistoryResource of `GET /api/v3/history/since` (only what sync needs). */
export const HistorySchema = v.looseObject({
	id: v.pipe(v.number(), v.integer()),
	eventType: v.string(),
	date: dateTime,
	seriesId: optionalInt,
	episodeId: optionalInt,
	movieId: optionalInt
});

/** The custom-format score of a file; the apps write 0 when no format matched. */
export const customFormatScore = v.optional(v.nullable(v.pipe(v.number(), v.integer())), null);

/** The quality name inside a QualityModel (`{quality: {id, name}, revision}`), if present. */
export const QualityModelSchema = v.optional(
	v.nullable(
		v.looseObject({ quality: v.optional(v.looseObject({ name: v.optional(v.string()) })) })
	),
	null
);
