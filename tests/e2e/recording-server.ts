/**
 * The e2e server: exactly `scripts/serve.ts` (same forwarding, same build), with a tap that
 * records every exchange for the secret scan (tests/e2e/zzz-secret-scan.spec.ts).
 *
 * Each line of `E2E_TRAFFIC_FILE` is one JSON object: `{method, path, requestHeaders: {x-api-key,
 * content-type}, requestBody, status, setCookie: string[], contentType, body}`. Bodies are kept
 * when they are text (JSON, HTML, plain text, form posts) and under 2 MB; binary ones (backup
 * files, upload chunks) are recorded as `null`. Only the tap reads the copies, so what the browser
 * receives is unchanged.
 */
import { appendFileSync } from 'node:fs';
import { serve } from '../../scripts/serve';

const file = process.env.E2E_TRAFFIC_FILE;
if (!file) throw new Error('E2E_TRAFFIC_FILE is not set');

const MAX_BODY = 2 * 1024 * 1024;

function isText(contentType: string | null): boolean {
	if (!contentType) return false;
	return /^(text\/|application\/(json|x-www-form-urlencoded|javascript)|multipart\/form-data)/i.test(
		contentType
	);
}

async function textOf(message: Request | Response): Promise<string | null> {
	const type = message.headers.get('content-type');
	const length = Number(message.headers.get('content-length') ?? 0);
	if (!isText(type) || length > MAX_BODY) return null;
	try {
		const text = await message.clone().text();
		return text.length > MAX_BODY ? null : text;
	} catch {
		return null;
	}
}

await serve({
	wrap: (handle) => async (request, server) => {
		const requestBody = await textOf(request);
		const response = await handle(request, server);
		const url = new URL(request.url);
		appendFileSync(
			file,
			JSON.stringify({
				method: request.method,
				path: url.pathname + url.search,
				requestHeaders: {
					'x-api-key': request.headers.get('x-api-key'),
					'content-type': request.headers.get('content-type')
				},
				requestBody,
				status: response.status,
				setCookie: response.headers.getSetCookie(),
				contentType: response.headers.get('content-type'),
				body: await textOf(response)
			}) + '\n'
		);
		return response;
	}
});
