import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { readJson, withApi } from '$lib/server/http/api';
import { importConfig } from '$lib/server/services/config-transfer';
import type { RequestHandler } from './$types';

/**
 * `POST /api/v1/config/import[?dryRun=true]` with a `comradarr-config` file as the body: validates
 * all of it, then applies it in one transaction (upsert by name). Answers with what was created,
 * updated, left unchanged or skipped, and which connectors need their API key entered again.
 * `dryRun` reports the same without writing.
 */
export const POST: RequestHandler = withApi(async ({ request, url }) => {
	const input = await readJson(request, v.unknown());
	const { db, secrets } = await getRuntime();
	const dryRun = url.searchParams.get('dryRun') === 'true';
	return json(await importConfig({ db, secrets, input, dryRun }));
});
