import { csvFileName } from '$lib/server/services/history/history-service';

/** A CSV download of `body`: an attachment named for today, never cached. */
export function csvResponse(body: ReadableStream<Uint8Array>): Response {
	return new Response(body, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="${csvFileName(new Date())}"`,
			'cache-control': 'no-store'
		}
	});
}
