/**
 * Restore uploads: a backup file sent from the browser in pieces.
 *
 * The server's request body limit (512 KB in scripts/serve.ts) stays as it is for every route:
 * the client creates an upload (`size`, `name`), then sends the file in chunks of at most
 * `UPLOAD_CHUNK_BYTES`, each `PUT` naming its offset; the server appends them in order to
 * `<uploadsDir>/<id>.part`. Chunks also pass reverse proxies with small body limits (nginx's
 * default is 1 MB) and never hit the idle timeout. Unused uploads are removed by Prune.
 *
 * Layout: `<id>.part` (the bytes so far) and `<id>.json` (`{ name, size, createdAt }`); `id` is a
 * random UUID, the only thing a client may name.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sniffBackupFormat } from './backup-format';
import { DomainError } from '../../errors';

/** Largest chunk one PUT may carry (bytes): below the server's 512 KB body limit. */
export const UPLOAD_CHUNK_BYTES = 384 * 1024;
/** Largest file accepted (bytes). */
export const MAX_UPLOAD_BYTES = 64 * 1024 ** 3;

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A refused upload operation, with a stable code and the HTTP status it maps to. */
export class UploadError extends DomainError {
	constructor(
		status: 400 | 404 | 409 | 413,
		code: string,
		message: string,
		/** For `uploads.offset_mismatch`: where the next chunk must start (also `fields.offset`). */
		readonly expectedOffset?: number
	) {
		super(
			code,
			message,
			expectedOffset === undefined
				? { status }
				: { status, fields: { offset: String(expectedOffset) } }
		);
		this.name = 'UploadError';
	}
}

export interface UploadInfo {
	id: string;
	/** The file name the user chose (shown only). */
	name: string;
	size: number;
	received: number;
	complete: boolean;
	chunkSize: number;
}

interface Meta {
	name: string;
	size: number;
	createdAt: string;
}

/** `$DATA_DIR/restore-uploads`. */
export function uploadsDir(dataDir: string): string {
	return path.join(dataDir, 'restore-uploads');
}

function files(dir: string, id: string) {
	if (!ID.test(id)) throw new UploadError(404, 'uploads.not_found', 'No such upload.');
	return { part: path.join(dir, `${id}.part`), meta: path.join(dir, `${id}.json`) };
}

async function readMeta(file: string): Promise<Meta> {
	try {
		return JSON.parse(await readFile(file, 'utf8')) as Meta;
	} catch {
		throw new UploadError(404, 'uploads.not_found', 'No such upload (it may have been removed).');
	}
}

/** A printable file name for display: no path, no control characters, at most 200 characters. */
function displayName(name: string): string {
	// eslint-disable-next-line no-control-regex -- control characters are exactly what is dropped
	const base = path.basename(name.replaceAll('\\', '/')).replace(/[\u0000-\u001f\u007f]/g, '');
	return base.slice(0, 200) || 'backup.dump';
}

/**
 * Starts an upload of `size` bytes.
 * @throws UploadError 413 when `size` exceeds `MAX_UPLOAD_BYTES`, 400 when it is not positive.
 */
export async function createUpload(
	dir: string,
	input: { name: string; size: number }
): Promise<UploadInfo> {
	if (!Number.isSafeInteger(input.size) || input.size <= 0) {
		throw new UploadError(400, 'uploads.invalid', 'The file is empty.');
	}
	if (input.size > MAX_UPLOAD_BYTES) {
		throw new UploadError(
			413,
			'uploads.too_large',
			`The file is larger than ${MAX_UPLOAD_BYTES / 1024 ** 3} GiB.`
		);
	}
	await mkdir(dir, { recursive: true, mode: 0o700 });
	const id = randomUUID();
	const { part, meta } = files(dir, id);
	const info: Meta = {
		name: displayName(input.name),
		size: input.size,
		createdAt: new Date().toISOString()
	};
	await writeFile(part, new Uint8Array(), { mode: 0o600 });
	await writeFile(meta, JSON.stringify(info), { mode: 0o600 });
	return {
		id,
		name: info.name,
		size: info.size,
		received: 0,
		complete: false,
		chunkSize: UPLOAD_CHUNK_BYTES
	};
}

/** The upload's state. @throws UploadError 404 */
export async function getUpload(dir: string, id: string): Promise<UploadInfo> {
	const { part, meta } = files(dir, id);
	const info = await readMeta(meta);
	const received = existsSync(part) ? (await stat(part)).size : 0;
	return {
		id,
		name: info.name,
		size: info.size,
		received,
		complete: received === info.size,
		chunkSize: UPLOAD_CHUNK_BYTES
	};
}

// One append at a time per upload: two concurrent PUTs at the same offset must not both land.
const appending = new Map<string, Promise<unknown>>();

/**
 * Appends `chunk` at `offset`, which must be exactly the bytes received so far.
 * @throws UploadError 404 (unknown id), 409 `uploads.offset_mismatch` (with `expectedOffset`),
 *   413 (chunk too large or past the declared size), 400 `uploads.not_a_dump` when the first
 *   chunk is neither a pg_dump custom-format archive nor a built-in backup (backup-format.ts).
 */
export async function appendChunk(
	dir: string,
	id: string,
	offset: number,
	chunk: Uint8Array
): Promise<UploadInfo> {
	const { part } = files(dir, id);
	const previous = appending.get(id) ?? Promise.resolve();
	const task = previous
		.catch(() => undefined)
		.then(async () => {
			const info = await getUpload(dir, id);
			if (offset !== info.received) {
				throw new UploadError(
					409,
					'uploads.offset_mismatch',
					`Expected the chunk at offset ${info.received}.`,
					info.received
				);
			}
			if (chunk.byteLength === 0 || chunk.byteLength > UPLOAD_CHUNK_BYTES) {
				throw new UploadError(
					413,
					'uploads.chunk_size',
					`A chunk must be 1–${UPLOAD_CHUNK_BYTES} bytes.`
				);
			}
			if (offset + chunk.byteLength > info.size) {
				throw new UploadError(
					413,
					'uploads.too_large',
					'The chunk goes past the declared file size.'
				);
			}
			if (offset === 0 && sniffBackupFormat(chunk, { prefix: true }) === null) {
				throw new UploadError(
					400,
					'uploads.not_a_dump',
					'This is not a Comradarr backup: neither a PostgreSQL custom-format dump (starting with "PGDMP") nor a backup in Comradarr\'s built-in format.'
				);
			}
			await appendFile(part, chunk);
			return {
				...info,
				received: info.received + chunk.byteLength,
				complete: info.received + chunk.byteLength === info.size
			};
		});
	appending.set(id, task);
	try {
		return await task;
	} finally {
		if (appending.get(id) === task) appending.delete(id);
	}
}

/**
 * The path of a complete upload's file.
 * @throws UploadError 404 unknown, 409 `uploads.incomplete` while bytes are missing.
 */
export async function completedUploadPath(
	dir: string,
	id: string
): Promise<{ path: string; name: string }> {
	const info = await getUpload(dir, id);
	if (!info.complete) {
		throw new UploadError(
			409,
			'uploads.incomplete',
			`The upload is incomplete (${info.received} of ${info.size} bytes).`
		);
	}
	return { path: files(dir, id).part, name: info.name };
}

/** Removes an upload (missing is fine). @throws UploadError 404 for a malformed id. */
export async function deleteUpload(dir: string, id: string): Promise<void> {
	const { part, meta } = files(dir, id);
	await rm(part, { force: true });
	await rm(meta, { force: true });
}

/** Removes uploads created before `before`. @returns how many. */
export async function removeStaleUploads(dir: string, before: Date): Promise<number> {
	let entries: string[];
	try {
		entries = await readdir(dir);
	} catch {
		return 0;
	}
	let removed = 0;
	for (const entry of entries) {
		const id = entry.replace(/\.(json|part)$/, '');
		if (!entry.endsWith('.json') || !ID.test(id)) continue;
		const meta = await readMeta(path.join(dir, entry)).catch(() => null);
		const created = meta ? new Date(meta.createdAt) : new Date(0);
		if (Number.isNaN(created.getTime()) || created < before) {
			await deleteUpload(dir, id);
			removed++;
		}
	}
	return removed;
}

/** Reads the first `length` bytes of a file (to check a dump's magic). */
export async function readHead(file: string, length: number): Promise<Uint8Array> {
	const handle = await open(file, 'r');
	try {
		const buffer = new Uint8Array(length);
		const { bytesRead } = await handle.read(buffer, 0, length, 0);
		return buffer.slice(0, bytesRead);
	} finally {
		await handle.close();
	}
}
