import { error } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { asDomainError } from '$lib/server/errors';
import { getMovieDetail } from '$lib/server/services/items/item-detail';
import { getItemHistory } from '$lib/server/services/items/item-history';
import type { PageServerLoad } from './$types';

/** One movie of the mirror with its file, search state and history (our id). */
export const load = (async ({ params }) => {
	const { db } = await getRuntime();
	const id = /^\d{1,10}$/.test(params.id) ? Number(params.id) : NaN;
	if (!Number.isSafeInteger(id) || id <= 0 || id > 2_147_483_647) {
		error(404, 'There is no such movie.');
	}
	try {
		const movie = await getMovieDetail(db, id);
		const history = await getItemHistory(db, {
			kind: 'movie',
			connectorId: movie.connector.id,
			id: movie.id,
			arrId: movie.arrId
		});
		return { movie, history };
	} catch (e) {
		const known = asDomainError(e);
		if (known?.status === 404) error(404, known.message);
		throw e;
	}
}) satisfies PageServerLoad;
