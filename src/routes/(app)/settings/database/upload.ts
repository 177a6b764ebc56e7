/**
 * Sends a backup file to `/api/v1/database/uploads` in chunks (each below the server's request
 * body limit), reporting the share sent. Resumes from the server's count after a 409.
 */
import { api, type ApiResult } from './api-client';

interface UploadInfo {
	id: string;
	received: number;
	size: number;
	complete: boolean;
	chunkSize: number;
}

/** @returns the upload id once every byte has arrived, or the error. */
export async function uploadFile(
	file: File,
	onProgress: (fraction: number) => void
): Promise<ApiResult<string>> {
	const created = await api<UploadInfo>('/api/v1/database/uploads', {
		method: 'POST',
		json: { name: file.name, size: file.size }
	});
	if (!created.ok) return created;
	const { id, chunkSize } = created.data;
	let offset = 0;
	while (offset < file.size) {
		const chunk = file.slice(offset, Math.min(file.size, offset + chunkSize));
		const sent = await api<UploadInfo>(`/api/v1/database/uploads/${id}?offset=${offset}`, {
			method: 'PUT',
			body: chunk,
			headers: { 'content-type': 'application/octet-stream' }
		});
		if (!sent.ok) {
			if (sent.code === 'uploads.offset_mismatch') {
				const state = await api<UploadInfo>(`/api/v1/database/uploads/${id}`);
				if (state.ok) {
					offset = state.data.received;
					continue;
				}
			}
			await api(`/api/v1/database/uploads/${id}`, { method: 'DELETE' });
			return sent;
		}
		offset = sent.data.received;
		onProgress(offset / file.size);
	}
	return { ok: true, data: id };
}
