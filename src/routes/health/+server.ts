import { json } from '@sveltejs/kit';
import { sql } from 'drizzle-orm';
import { getRuntime } from '$lib/server/runtime';
import { connectors } from '$lib/server/db/schema';
import type { RequestHandler } from './$types';

/** The process part of /health: how long it has run and what memory it holds. */
export interface HealthProcess {
	/** Seconds since the process started (`process.uptime()`, whole seconds). */
	uptimeSeconds: number;
	/** `process.memoryUsage()`: resident set size and the JavaScript heap, in bytes. */
	memory: { rssBytes: number; heapUsedBytes: number; heapTotalBytes: number };
}

function processHealth(): HealthProcess {
	const memory = process.memoryUsage();
	return {
		uptimeSeconds: Math.floor(process.uptime()),
		memory: {
			rssBytes: memory.rss,
			heapUsedBytes: memory.heapUsed,
			heapTotalBytes: memory.heapTotal
		}
	};
}

/**
 * GET /health (no auth): `{status, database, connectors: [{id, name, type, health}],
 * queue: {pending}, process: {uptimeSeconds, memory: {rssBytes, heapUsedBytes, heapTotalBytes}}}`.
 * 200 when the database answers, 503 otherwise (`process` is there in both). Never carries a
 * secret.
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
			queue: { pending: queue?.pending ?? 0 },
			process: processHealth()
		});
	} catch {
		return json(
			{
				status: 'error',
				database: 'unreachable',
				connectors: [],
				queue: { pending: 0 },
				process: processHealth()
			},
			{ status: 503 }
		);
	}
};
