import { fail, superValidate } from 'sveltekit-superforms';
import { formError, formSuccess } from '$lib/server/forms';
import { valibot } from 'sveltekit-superforms/adapters';
import { getRuntime } from '$lib/server/runtime';
import { databaseStatus } from '$lib/server/services/database/status';
import { backupsDir, listBackups } from '$lib/server/services/database/backup';
import { pruneDescription } from '$lib/server/services/database/maintenance-jobs';
import { UPLOAD_CHUNK_BYTES } from '$lib/server/services/database/uploads';
import { latestRuns } from '$lib/server/services/jobs';
import { getSettings, updateSettings } from '$lib/server/services/settings/settings-service';
import { backupScheduleSchema } from './backup-schedule';
import type { Actions, PageServerLoad } from './$types';

const JOBS = ['db.vacuum', 'db.prune', 'db.backup', 'db.restore'] as const;

/** Settings → Database: status, table sizes, maintenance, backups, restore, configuration. */
export const load = (async () => {
	const { db, config } = await getRuntime();
	const settings = await getSettings(db);
	const [status, backups, runs] = await Promise.all([
		databaseStatus(db, !config.databaseUrl),
		listBackups(backupsDir(config.dataDir)),
		latestRuns(db, JOBS)
	]);
	return {
		status,
		backups,
		runs,
		pruneRules: pruneDescription(settings.security.sessionMaxAgeDays),
		timeZone: settings.general.timeZone,
		uploadChunkBytes: UPLOAD_CHUNK_BYTES,
		scheduleForm: await superValidate(settings.backup, valibot(backupScheduleSchema), {
			id: 'backup-schedule'
		})
	};
}) satisfies PageServerLoad;

export const actions = {
	/** Saves the scheduled-backup settings (enabled, cron, retention). */
	schedule: async ({ request }) => {
		const form = await superValidate(request, valibot(backupScheduleSchema), {
			id: 'backup-schedule'
		});
		if (!form.valid) return fail(400, { form });
		const { db } = await getRuntime();
		try {
			await updateSettings(db, 'backup', form.data);
		} catch (error) {
			return formError(form, error);
		}
		return formSuccess(
			form,
			form.data.enabled
				? `Scheduled backups are on; the newest ${form.data.retention} are kept.`
				: 'Scheduled backups are off.'
		);
	}
} satisfies Actions;
