import { json } from '@sveltejs/kit';
import { apiError, withApi } from '$lib/server/http/api';
import { databaseDeps } from '$lib/server/api/database-routes';
import {
	UPLOAD_CHUNK_BYTES,
	appendChunk,
	deleteUpload,
	getUpload,
	uploadsDir
} from '$lib/server/services/database/uploads';
import type { RequestHandler } from './$types';

/** `GET /api/v1/database/uploads/{id}`: bytes received so far (to resume). */
export const GET: RequestHandler = withApi(async ({ params }) => {
	const { dataDir } = await databaseDeps();
	return json(await getUpload(uploadsDir(dataDir), params.id));
});

/**
 * `PUT /api/v1/database/uploads/{id}?offset=N` with the next chunk (application/octet-stream, at
 * most `chunkSize` bytes) starting exactly at the bytes received so far; 409 with
 * `fields.offset` otherwise.
 */
export const PUT: RequestHandler = withApi(async ({ params, url, request }) => {
	const offset = Number(url.searchParams.get('offset'));
	if (!/^\d+$/.test(url.searchParams.get('offset') ?? '') || !Number.isSafeInteger(offset)) {
		apiError(400, 'uploads.invalid', 'Give the chunk’s offset in bytes (?offset=N).');
	}
	const declared = Number(request.headers.get('content-length'));
	if (Number.isFinite(declared) && declared > UPLOAD_CHUNK_BYTES) {
		apiError(413, 'uploads.chunk_size', `A chunk must be at most ${UPLOAD_CHUNK_BYTES} bytes.`);
	}
	const chunk = new Uint8Array(await request.arrayBuffer());
	const { dataDir } = await databaseDeps();
	return json(await appendChunk(uploadsDir(dataDir), params.id, offset, chunk));
});

/** `DELETE /api/v1/database/uploads/{id}`: drops an upload; 204. */
export const DELETE: RequestHandler = withApi(async ({ params }) => {
	const { dataDir } = await databaseDeps();
	await deleteUpload(uploadsDir(dataDir), params.id);
	return new Response(null, { status: 204 });
});
