/**
 * `POST /webhooks/{connectorId}` (or PUT, the other method the apps offer): one notification from
 * an *arr app's "Settings → Connect → Webhook" (payload shapes: payload.ts).
 *
 * The request guard lets `/webhooks/{id}` through without a session or Origin (the app posts
 * server-to-server); this handler is its only authentication. In order, each step answers with
 * the standard `{error: {code, message}}` body and changes nothing:
 * 1. 401 `webhooks.unauthorized` — no token, a wrong one, a connector without a secret, an
 *    unknown connector or a malformed id: one answer for all, so it does not tell which connector
 *    ids exist. Known and unknown ids cost the same query and one SHA-256 compare (constant-time),
 *    so the timing tells no more than the body. (A 404 for unknown ids would help nobody but a
 *    prober: the URL on the connector page is always right.)
 * 2. 411 `request.length_required` without a `Content-Length` (the apps always send one: the body is
 *    a byte array, `HttpRequest.SetContent` in NzbDrone.Common), 413
 *    `request.too_large` when it is over `WEBHOOK_BODY_LIMIT` (1 MiB) — checked before the body is
 *    read, and again on the bytes read.
 * 3. 400 `request.invalid_json` when the body is not JSON; 400 `webhooks.invalid_payload` when it
 *    is not a notification; 422 `webhooks.wrong_library` when it is about a movie for a series
 *    connector or the reverse.
 * Accepted: 202 `{accepted: true, eventType, action: 'refresh', item: {kind, arrId}}` when the
 * item's refresh was scheduled (it runs after the response, refresh-queue.ts), 200 `{accepted:
 * true, eventType, action: 'none', reason}` for the events that change nothing mirrored (Test,
 * Grab, Rename, health…) and for a disabled connector. 503 `webhooks.busy` (Retry-After) when too
 * many refreshes wait already.
 */
import { errorResponse } from '../../http/api';
import { libraryKind } from '../../connectors';
import type { Database } from '../../db';
import { moduleLogger } from '../../logger';
import { WebhookPayloadError, planWebhook, type WebhookPlan } from './payload';
import type { RefreshQueue } from './refresh-queue';
import { authenticateWebhook, presentedToken } from './secret';

const log = moduleLogger('webhooks');

/** Largest body accepted, in bytes. The apps' biggest payloads (a season pack import) are ~50 KB. */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

export interface ReceiveDeps {
	db: Database;
	queue: RefreshQueue;
	/** For log lines. */
	requestId?: string;
}

/** The JSON answer of an accepted notification. */
export type WebhookAnswer =
	| { accepted: true; eventType: string; action: 'none'; reason: string }
	| {
			accepted: true;
			eventType: string;
			action: 'refresh';
			item: { kind: string; arrId: number };
	  };

function json(status: number, body: WebhookAnswer): Response {
	return new Response(JSON.stringify(body), {
		status,
		headers: { 'content-type': 'application/json' }
	});
}

const UNAUTHORIZED =
	'This webhook needs the secret from the connector page in Comradarr (as the password, the ' +
	'X-Comradarr-Token header or the token query parameter), and the URL of that connector.';

/**
 * Handles one webhook request (see the module comment for every answer).
 * @param rawId the `{connectorId}` path segment as routed
 * @param url the request URL (for the `token` query parameter)
 */
export async function receiveWebhook(
	deps: ReceiveDeps,
	rawId: string,
	request: Request,
	url: URL = new URL(request.url)
): Promise<Response> {
	const connector = await authenticateWebhook(deps.db, rawId, presentedToken(request, url));
	if (!connector) {
		log.debug({ cid: deps.requestId, connector: rawId }, 'webhook refused: not authenticated');
		return errorResponse(401, 'webhooks.unauthorized', UNAUTHORIZED, undefined, {
			'www-authenticate': 'Basic realm="Comradarr webhook", charset="UTF-8"'
		});
	}

	const length = request.headers.get('content-length');
	if (length === null || !/^\d+$/.test(length)) {
		return errorResponse(
			411,
			'request.length_required',
			'Send the notification with a Content-Length header.'
		);
	}
	if (Number(length) > WEBHOOK_BODY_LIMIT) {
		return tooLarge();
	}
	let text: string;
	try {
		text = await request.text();
	} catch {
		return errorResponse(400, 'request.invalid_json', 'The request body could not be read.');
	}
	if (Buffer.byteLength(text, 'utf8') > WEBHOOK_BODY_LIMIT) return tooLarge();
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		return errorResponse(400, 'request.invalid_json', 'The request body is not valid JSON.');
	}

	let plan: WebhookPlan;
	try {
		plan = planWebhook(body, libraryKind(connector));
	} catch (error) {
		if (error instanceof WebhookPayloadError) {
			log.info(
				{ cid: deps.requestId, connectorId: connector.id, code: error.code },
				'webhook refused'
			);
			return errorResponse(error.status, error.code, error.message);
		}
		throw error;
	}
	const context = { cid: deps.requestId, connectorId: connector.id, eventType: plan.eventType };
	if (plan.action === 'none') {
		log.info({ ...context, reason: plan.reason }, 'webhook accepted');
		return json(200, {
			accepted: true,
			eventType: plan.eventType,
			action: 'none',
			reason: plan.reason
		});
	}
	if (!connector.enabled) {
		const reason = 'the connector is disabled';
		log.info({ ...context, reason }, 'webhook accepted');
		return json(200, { accepted: true, eventType: plan.eventType, action: 'none', reason });
	}
	const outcome = deps.queue.enqueue({
		connectorId: connector.id,
		kind: plan.item.kind,
		arrId: plan.item.arrId,
		eventType: plan.eventType
	});
	if (outcome === 'full') {
		log.warn(context, 'webhook refused: too many refreshes waiting');
		return errorResponse(
			503,
			'webhooks.busy',
			'Too many refreshes are waiting; the next sync will pick this change up.',
			undefined,
			{ 'retry-after': '30' }
		);
	}
	log.info({ ...context, item: plan.item, reason: plan.reason, outcome }, 'webhook accepted');
	return json(202, {
		accepted: true,
		eventType: plan.eventType,
		action: 'refresh',
		item: plan.item
	});
}

function tooLarge(): Response {
	return errorResponse(
		413,
		'request.too_large',
		`A notification may be at most ${WEBHOOK_BODY_LIMIT} bytes.`
	);
}
