import { json } from '@sveltejs/kit';
import { sql } from 'drizzle-orm';
import { getRuntime } from '$lib/server/runtime';
import { connectors } from '$lib/server/db/schema';
import type { RequestHandler } from './$types';

/**
 * GET /health (no auth): `{status, database, connectors: [{id, name, type, health}], queue: {pending}}`.
 * 200 when the database answers, 503 otherwise. Never carries a secret.
 */
export const GET: RequestHandler = async () => {
	try {
		const { db } = await getRuntime();
		const list = await db
			.select({
				id: connectors.id,
				name: connectors.name,
				type: connectors.type,
				health: connectors.health
			})
			.from(connectors)
			.orderBy(connectors.id);
		const [queue] = await db.execute<{ pending: number }>(
			sql`select count(*)::int as pending from request_queue where status = 'pending'`
		);
		return json({
			status: 'ok',
			database: 'ok',
			connectors: list,
			queue: { pending: queue?.pending ?? 0 }
		});
	} catch {
		return json(
			{ status: 'error', database: 'unreachable', connectors: [], queue: { pending: 0 } },
			{ status: 503 }
		);
	}
};
