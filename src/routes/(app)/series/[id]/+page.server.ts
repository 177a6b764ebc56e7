import { error } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { asDomainError } from '$lib/server/errors';
import { getSeriesDetail } from '$lib/server/services/items/item-detail';
import { getItemHistory } from '$lib/server/services/items/item-history';
import type { PageServerLoad } from './$types';

/** One series of the mirror with its seasons, episodes, search state and history (our id). */
export const load = (async ({ params }) => {
	const { db } = await getRuntime();
	const id = /^\d{1,10}$/.test(params.id) ? Number(params.id) : NaN;
	if (!Number.isSafeInteger(id) || id <= 0 || id > 2_147_483_647) {
		error(404, 'There is no such series.');
	}
	try {
		const series = await getSeriesDetail(db, id);
		const episodes = series.seasons.flatMap((s) => s.episodes);
		const history = await getItemHistory(db, {
			kind: 'series',
			connectorId: series.connector.id,
			id: series.id,
			arrId: series.arrId,
			episodeIds: episodes.map((e) => e.id),
			arrEpisodeIds: episodes.map((e) => e.arrId)
		});
		return { series, history };
	} catch (e) {
		const known = asDomainError(e);
		if (known?.status === 404) error(404, known.message);
		throw e;
	}
}) satisfies PageServerLoad;
