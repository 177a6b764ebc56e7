import { asc } from 'drizzle-orm';
import { getRuntime } from '$lib/server/runtime';
import { connectors } from '$lib/server/db/schema';
import { getConnector } from '$lib/server/services/connectors/connector-service';
import { previewSweep, type SweepPreview } from '$lib/server/services/queue/preview';
import type { PageServerLoad } from './$types';

/** Commands shown per page of the preview. */
const PAGE_SIZE = 50;

function positiveInt(raw: string | null): number | null {
	if (raw === null || !/^\d{1,10}$/.test(raw)) return null;
	const n = Number(raw);
	return Number.isSafeInteger(n) && n > 0 && n <= 2_147_483_647 ? n : null;
}

/**
 * The sweep preview of the connector chosen by `?connectorId=` (services/queue/preview.ts: the
 * real sweep in a rolled-back transaction; nothing is written or sent), one page (`?page=`) of its
 * commands in dispatch order.
 */
export const load = (async ({ url }) => {
	const { db } = await getRuntime();
	const list = await db
		.select({ id: connectors.id, name: connectors.name, type: connectors.type })
		.from(connectors)
		.orderBy(asc(connectors.name));
	const rawId = url.searchParams.get('connectorId');
	const connectorId = positiveInt(rawId);
	let preview: SweepPreview | null = null;
	let error: string | null = null;
	if (rawId !== null && rawId !== '') {
		const known = connectorId === null ? undefined : list.find((c) => c.id === connectorId);
		if (!known) error = 'That connector does not exist. Choose one from the list.';
		else preview = await previewSweep({ db, connector: await getConnector(db, known.id) });
	}
	const pageCount = preview ? Math.max(1, Math.ceil(preview.commands.length / PAGE_SIZE)) : 1;
	const page = Math.min(positiveInt(url.searchParams.get('page')) ?? 1, pageCount);
	return {
		connectors: list,
		connectorId: preview ? connectorId : null,
		error,
		preview: preview
			? {
					...preview,
					commands: preview.commands.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE),
					total: preview.commands.length
				}
			: null,
		page,
		pageCount
	};
}) satisfies PageServerLoad;
