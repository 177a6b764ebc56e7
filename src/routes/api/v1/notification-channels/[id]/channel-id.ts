import { ApiError } from '$lib/server/http/api';

/** `params.id` as a positive integer. @throws ApiError 404 `notification_channels.not_found` */
export function channelId(raw: string): number {
	const id = Number(raw);
	if (!/^\d+$/.test(raw) || !Number.isSafeInteger(id) || id <= 0) {
		throw new ApiError(
			404,
			'notification_channels.not_found',
			`Notification channel ${raw} does not exist`
		);
	}
	return id;
}
