/**
 * The sweep schedules a new connector starts with (kept apart from sweep-schedules.ts so the
 * connector service can write them in its own transaction without importing the sweep code).
 */
import type { DbOrTx } from '../../db';
import { sweepSchedules } from '../../db/schema';
import type { SweepType } from '../../../types/schedules';
import { announceScheduleChange } from './changes';

/** The defaults every new connector gets: gaps hourly at :05, upgrades nightly at 02:30. */
export const DEFAULT_SWEEP_SCHEDULES: readonly { sweepType: SweepType; cron: string }[] = [
	{ sweepType: 'gaps', cron: '5 * * * *' },
	{ sweepType: 'upgrades', cron: '30 2 * * *' }
];

/**
 * Inserts the default schedules (`DEFAULT_SWEEP_SCHEDULES`) of a new connector in the caller's
 * transaction, in `timeZone` (Settings → General), and announces them.
 * @returns the ids inserted
 */
export async function insertDefaultSchedules(
	tx: DbOrTx,
	connectorId: number,
	timeZone: string,
	now: Date = new Date()
): Promise<number[]> {
	const rows = await tx
		.insert(sweepSchedules)
		.values(
			DEFAULT_SWEEP_SCHEDULES.map((d) => ({
				connectorId,
				sweepType: d.sweepType,
				cron: d.cron,
				timezone: timeZone,
				createdAt: now,
				updatedAt: now
			}))
		)
		.returning({ id: sweepSchedules.id });
	await announceScheduleChange(tx, `connector:${connectorId}`);
	return rows.map((r) => r.id);
}
