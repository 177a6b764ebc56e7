import * as v from 'valibot';
import { getRuntime } from '$lib/server/runtime';
import { ContentQuerySchema, type ContentQuery } from '$lib/schemas/content';
import {
	contentFilterOptions,
	listContent,
	UnknownFilterError,
	type ContentPage
} from '$lib/server/services/content/content-browser';
import { contentValues } from '$lib/components/content/content-query';
import type { PageServerLoad } from './$types';

/**
 * The content browser: one page of every connector's series and movies for the URL's query (the
 * parameters of `GET /api/v1/content`), the filter choices, and the counts per status. Bad
 * parameters are shown next to their fields and the listing stays empty until they are fixed.
 * Reads the mirror and the search registry only.
 */
export const load = (async ({ url }) => {
	const { db } = await getRuntime();
	const values = contentValues(url.searchParams);
	const parsed = v.safeParse(ContentQuerySchema, Object.fromEntries(url.searchParams));
	const options = await contentFilterOptions(db);
	let query: ContentQuery | null = parsed.success ? parsed.output : null;
	let errors: Record<string, string> = {};
	if (!parsed.success) {
		for (const issue of parsed.issues) {
			const key = v.getDotPath(issue) ?? 'query';
			errors[key] ??= issue.message;
		}
	}
	let content: ContentPage | null = null;
	if (query) {
		try {
			content = await listContent(db, query);
		} catch (error) {
			if (!(error instanceof UnknownFilterError)) throw error;
			errors = error.fields ?? {};
			query = null;
		}
	}
	return { values, errors, options, query, content };
}) satisfies PageServerLoad;
