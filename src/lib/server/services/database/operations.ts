/**
 * Starting the database jobs (what the API routes and the Settings → Database page call): each
 * returns the new run at once; the work goes on in the background (services/jobs).
 * @throws JobConflictError (→ 409) when the same job runs, MaintenanceError (→ 503) during a
 *   restore, BackupNotFoundError / UploadError when a restore names a missing source.
 */
import type { Database } from '$lib/server/db';
import { startJob, type StartedJob } from '$lib/server/services/jobs';
import { backupJob, backupsDir, resolveBackup } from './backup';
import { pruneJob, vacuumJob } from './maintenance-jobs';
import { restoreJob } from './restore';
import { completedUploadPath, deleteUpload, uploadsDir } from './uploads';

export interface DatabaseDeps {
	db: Database;
	/** `$DATA_DIR`: backups and restore uploads live below it. */
	dataDir: string;
	/** drizzle's migrations folder (a restore migrates what it restored). */
	migrationsDir: string;
	clock?: () => Date;
}

const now = () => new Date();

export function startVacuum(deps: DatabaseDeps, userId: number | null): Promise<StartedJob> {
	return startJob({ db: deps.db, job: 'db.vacuum', userId, run: vacuumJob({ db: deps.db }) });
}

export function startPrune(deps: DatabaseDeps, userId: number | null): Promise<StartedJob> {
	return startJob({
		db: deps.db,
		job: 'db.prune',
		userId,
		run: pruneJob({ db: deps.db, uploadsDir: uploadsDir(deps.dataDir), clock: deps.clock ?? now })
	});
}

export function startBackup(deps: DatabaseDeps, userId: number | null): Promise<StartedJob> {
	return startJob({
		db: deps.db,
		job: 'db.backup',
		userId,
		run: backupJob({
			db: deps.db,
			dir: backupsDir(deps.dataDir),
			kind: 'manual',
			clock: deps.clock ?? now,
			migrationsDir: deps.migrationsDir
		})
	});
}

/** Where a restore reads from: a completed upload (deleted afterwards) or a listed backup. */
export type RestoreSource = { upload: string } | { backup: string };

/**
 * Starts a restore (exclusive: maintenance mode until it ends).
 * @param followers digests of the caller's credentials (http/maintenance.ts `credentialDigests`),
 *   so the caller can follow the run while every other request gets 503.
 */
export async function startRestore(
	deps: DatabaseDeps,
	input: { source: RestoreSource; userId: number | null; followers: string[] }
): Promise<StartedJob> {
	const uploads = uploadsDir(deps.dataDir);
	const source =
		'upload' in input.source
			? {
					...(await completedUploadPath(uploads, input.source.upload)),
					upload: input.source.upload
				}
			: {
					path: await resolveBackup(backupsDir(deps.dataDir), input.source.backup),
					name: input.source.backup,
					upload: null
				};
	return startJob({
		db: deps.db,
		job: 'db.restore',
		userId: input.userId,
		exclusive: true,
		followers: input.followers,
		run: restoreJob({
			db: deps.db,
			file: source.path,
			name: source.name,
			migrationsDir: deps.migrationsDir,
			...(source.upload ? { cleanup: () => deleteUpload(uploads, source.upload) } : {})
		})
	});
}
