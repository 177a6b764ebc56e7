/**
 * Input of the request-queue control endpoints: the optional `{ connectorId }` body of pause,
 * resume and clear, and the `{ priority }` body of a PATCH.
 */
import * as v from 'valibot';
import { readJson } from '$lib/server/http/api';
import { PRIORITY_LIMITS, QueueRequestNotFoundError } from '$lib/server/services/queue/queue-admin';

/** `{ connectorId? }`: a positive integer id, or absent for every connector. */
export const ScopeSchema = v.strictObject({
	connectorId: v.optional(
		v.pipe(
			v.number('connectorId must be a number'),
			v.integer('connectorId must be an integer'),
			v.minValue(1, 'connectorId must be a positive id')
		)
	)
});

/** `{ priority }`: an integer within PRIORITY_LIMITS (higher is sent first). */
export const PrioritySchema = v.strictObject({
	priority: v.pipe(
		v.number('priority must be a number'),
		v.integer('priority must be an integer'),
		v.minValue(PRIORITY_LIMITS.min, `priority must be at least ${PRIORITY_LIMITS.min}`),
		v.maxValue(PRIORITY_LIMITS.max, `priority must be at most ${PRIORITY_LIMITS.max}`)
	)
});

/**
 * The optional scope body: no body at all (or an empty one) means every connector; otherwise a
 * JSON object per ScopeSchema.
 * @throws ApiError 415/400 `request.invalid_json`, ValiError (→ 400 `validation.failed`).
 */
export async function readScope(request: Request): Promise<{ connectorId?: number | undefined }> {
	if (request.body === null || request.headers.get('content-length') === '0') return {};
	if ((await request.clone().text()).trim() === '') return {};
	return readJson(request, ScopeSchema);
}

/** The `{id}` route parameter as a request id. @throws QueueRequestNotFoundError (404). */
export function parseRequestId(raw: string | undefined): number {
	const id = raw && /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
	if (!Number.isSafeInteger(id) || id <= 0 || id > 2_147_483_647) {
		throw new QueueRequestNotFoundError(raw ?? '');
	}
	return id;
}
