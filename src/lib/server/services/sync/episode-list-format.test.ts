/**
 * A full reconciliation skips a series whose episode lists hash to the digest stored at their
 * last write (sonarr/client.ts `listEpisodes`, `series.episodes_digest`). The digest covers the
 * app's bytes and `EPISODE_LIST_FORMAT`, not the mapping: a change to what the mapper makes of
 * the same bytes, or a new mirrored column, must come with a new format, or the rows written by
 * the old mapping would stay until the app's bytes change. This pins the format to both, so such
 * a change fails here until the format and the lists below are changed together.
 */
import { describe, expect, it } from 'vitest';
import { getTableColumns } from 'drizzle-orm';
import { EPISODE_LIST_FORMAT } from '../../connectors/sonarr/client';
import { toMirrorEpisode } from '../../connectors/sonarr/mapper';
import { episodes } from '../../db/schema';

describe('the episode list digest format', () => {
	it('is changed along with the episode mapping and the episodes table', () => {
		const row = toMirrorEpisode(
			{
				id: 1,
				seriesId: 2,
				seasonNumber: 1,
				episodeNumber: 1,
				title: 'Pilot',
				airDateUtc: new Date('2020-01-01T00:00:00Z'),
				runtime: 42,
				monitored: true,
				hasFile: false,
				episodeFileId: 0,
				lastSearchTime: null
			},
			new Map()
		);
		expect({
			format: EPISODE_LIST_FORMAT,
			mapped: Object.keys(row).sort(),
			columns: Object.keys(getTableColumns(episodes)).sort()
		}).toEqual({
			format: 'episodes-v1',
			mapped: [
				'airDateUtc',
				'arrId',
				'arrSeriesId',
				'customFormatScore',
				'episodeFileId',
				'episodeNumber',
				'hasFile',
				'lastSearchTime',
				'monitored',
				'quality',
				'qualityCutoffNotMet',
				'runtime',
				'seasonNumber',
				'title'
			],
			columns: [
				'airDateUtc',
				'arrId',
				'connectorId',
				'customFormatScore',
				'episodeFileId',
				'episodeNumber',
				'hasFile',
				'id',
				'lastSearchTime',
				'monitored',
				'quality',
				'qualityCutoffNotMet',
				'runtime',
				'seasonNumber',
				'seriesId',
				'syncedAt',
				'title'
			]
		});
	});
});
