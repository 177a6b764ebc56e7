import { describe, expect, it } from 'vitest';
import {
	radarrDownload,
	radarrMovieDelete,
	radarrTest,
	sonarrDownload,
	sonarrEpisodeFileDelete,
	sonarrGrab,
	sonarrRename,
	sonarrSeriesDelete,
	sonarrTest
} from '../../../../../tests/helpers/webhook-payloads';
import { WebhookPayloadError, planWebhook } from './payload';

const show = { id: 7, title: 'Show', tvdbId: 70 };
const episode = { id: 70, seriesId: 7, seasonNumber: 1, episodeNumber: 1, title: 'Pilot' };
const film = { id: 9, title: 'Film', year: 2020, tmdbId: 90 };

function refusal(body: unknown, library: 'series' | 'movies' = 'series') {
	try {
		planWebhook(body, library);
	} catch (error) {
		expect(error).toBeInstanceOf(WebhookPayloadError);
		return {
			status: (error as WebhookPayloadError).status,
			code: (error as WebhookPayloadError).code
		};
	}
	throw new Error('accepted');
}

describe('planWebhook', () => {
	it('refreshes the series a Sonarr import, upgrade, file delete or series delete names', () => {
		expect(planWebhook(sonarrDownload(show, [episode], 5), 'series')).toEqual({
			action: 'refresh',
			eventType: 'Download',
			item: { kind: 'series', arrId: 7 },
			reason: 'imported'
		});
		expect(
			planWebhook(sonarrDownload(show, [episode], 6, { oldFileId: 5 }), 'series')
		).toMatchObject({
			reason: 'upgraded'
		});
		expect(planWebhook(sonarrEpisodeFileDelete(show, [episode], 5), 'series')).toMatchObject({
			action: 'refresh',
			reason: 'file_deleted'
		});
		expect(planWebhook(sonarrSeriesDelete(show), 'series')).toMatchObject({
			action: 'refresh',
			reason: 'deleted'
		});
	});

	it('refreshes the movie a Radarr import or delete names', () => {
		expect(planWebhook(radarrDownload(film, 3, null), 'movies')).toMatchObject({
			action: 'refresh',
			item: { kind: 'movies', arrId: 9 }
		});
		expect(planWebhook(radarrMovieDelete(film), 'movies')).toMatchObject({ reason: 'deleted' });
	});

	it('does nothing for Test (whose ids are fake), Grab, Rename and event types it does not know', () => {
		for (const body of [sonarrTest(), sonarrGrab(show, [episode]), sonarrRename(show, 5)]) {
			expect(planWebhook(body, 'series').action).toBe('none');
		}
		expect(planWebhook(radarrTest(), 'movies').action).toBe('none');
		expect(planWebhook({ eventType: 'SomethingNew', series: { id: 3 } }, 'series')).toMatchObject({
			action: 'none',
			reason: 'unknown event type'
		});
	});

	it('refuses what is not a notification (400) and another library’s notification (422)', () => {
		expect(refusal('Download')).toEqual({ status: 400, code: 'webhooks.invalid_payload' });
		expect(refusal([sonarrTest()])).toEqual({ status: 400, code: 'webhooks.invalid_payload' });
		expect(refusal({ series: { id: 1 } })).toEqual({
			status: 400,
			code: 'webhooks.invalid_payload'
		});
		expect(refusal({ eventType: 'Download', series: { id: 0 } })).toMatchObject({ status: 400 });
		expect(refusal({ eventType: 'Download', series: { id: '7' } })).toMatchObject({ status: 400 });
		expect(refusal(radarrDownload(film, 3, null), 'series')).toEqual({
			status: 422,
			code: 'webhooks.wrong_library'
		});
		expect(refusal(sonarrTest(), 'movies')).toMatchObject({ status: 422 });
		expect(refusal({ eventType: 'Download' })).toMatchObject({ status: 422 });
	});
});
