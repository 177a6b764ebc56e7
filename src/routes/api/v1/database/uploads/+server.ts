import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { readJson, withApi } from '$lib/server/http/api';
import { databaseDeps } from '$lib/server/api/database-routes';
import { createUpload, uploadsDir } from '$lib/server/services/database/uploads';
import type { RequestHandler } from './$types';

const Body = v.object({
	name: v.pipe(v.string('Give the file name.'), v.maxLength(500, 'The file name is too long.')),
	size: v.pipe(v.number('Give the file size in bytes.'), v.integer('The size is in whole bytes.'))
});

/**
 * `POST /api/v1/database/uploads` `{ name, size }`: starts a restore upload; 201 with
 * `{ id, chunkSize, … }`. Send the file with `PUT /api/v1/database/uploads/{id}?offset=N`.
 */
export const POST: RequestHandler = withApi(async ({ request }) => {
	const body = await readJson(request, Body);
	const { dataDir } = await databaseDeps();
	const upload = await createUpload(uploadsDir(dataDir), body);
	return json(upload, { status: 201 });
});
