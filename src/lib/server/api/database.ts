/**
 * Domain errors of the job runner, the database services and configuration import as API errors
 * with stable codes (the JSON API's `{ error: { code, message, fields? } }`).
 */
import { ApiError } from '../http/api';
import { JobConflictError, JobError, MaintenanceError } from '../services/jobs';
import { BackupNotFoundError } from '../services/database/backup';
import { UploadError } from '../services/database/uploads';
import { ConfigImportError } from '../services/config-transfer';

/** Rethrows known domain errors as ApiErrors; others unchanged. */
export function toDatabaseApiError(error: unknown): unknown {
	if (error instanceof JobConflictError) return new ApiError(409, error.code, error.message);
	if (error instanceof MaintenanceError) return new ApiError(503, error.code, error.message);
	if (error instanceof JobError) return new ApiError(400, error.code, error.message);
	if (error instanceof BackupNotFoundError) return new ApiError(404, error.code, error.message);
	if (error instanceof UploadError) {
		return new ApiError(
			error.status,
			error.code,
			error.message,
			error.expectedOffset === undefined ? undefined : { offset: String(error.expectedOffset) }
		);
	}
	if (error instanceof ConfigImportError) {
		return new ApiError(400, error.code, error.message, error.fields);
	}
	return error;
}

/** Runs `task`, mapping domain errors to API errors. */
export async function databaseDomain<T>(task: () => Promise<T>): Promise<T> {
	try {
		return await task();
	} catch (error) {
		throw toDatabaseApiError(error);
	}
}
