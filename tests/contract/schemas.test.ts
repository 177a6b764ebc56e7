/**
 * Every field our valibot schemas read exists, with a compatible type, in the official spec's
 * resource of every app that uses it — so a field we rely on cannot silently be one the apps never
 * send. Works from the committed derived contract (no ../shared needed).
 */
import { describe, expect, it } from 'vitest';
import type * as v from 'valibot';
import { compatible, entriesOf, loadContract, type ContractApp } from './contract';
import {
	CommandSchema,
	HealthItemSchema,
	SystemStatusSchema
} from '../../src/lib/server/connectors/common/schemas';
import {
	EpisodeFileSchema,
	EpisodeSchema,
	SeasonSchema,
	SeasonStatisticsSchema,
	SeriesSchema
} from '../../src/lib/server/connectors/sonarr/types';
import { MovieFileSchema, MovieSchema } from '../../src/lib/server/connectors/radarr/types';
import {
	SceneEpisodeSchema,
	WhisparrMovieSchema
} from '../../src/lib/server/connectors/whisparr/types';

const common: [string, v.GenericSchema][] = [
	['SystemResource', SystemStatusSchema],
	['HealthResource', HealthItemSchema],
	['CommandResource', CommandSchema]
];
const seriesShaped: [string, v.GenericSchema][] = [
	['SeriesResource', SeriesSchema],
	['SeasonResource', SeasonSchema],
	['SeasonStatisticsResource', SeasonStatisticsSchema],
	['EpisodeFileResource', EpisodeFileSchema]
];

const USED: Record<ContractApp, [string, v.GenericSchema][]> = {
	sonarr: [...common, ...seriesShaped, ['EpisodeResource', EpisodeSchema]],
	'whisparr-v2': [...common, ...seriesShaped, ['EpisodeResource', SceneEpisodeSchema]],
	radarr: [...common, ['MovieResource', MovieSchema], ['MovieFileResource', MovieFileSchema]],
	'whisparr-v3': [
		...common,
		['MovieResource', WhisparrMovieSchema],
		['MovieFileResource', MovieFileSchema]
	]
};

/**
 * Fields read although the spec lacks them, each with the documented reason.
 * Whisparr v3's published spec is stale (shared/arr-api README §8): the source has lastSearchTime.
 */
const KNOWN_GAPS: Record<string, string> = {
	'whisparr-v3 MovieResource.lastSearchTime':
		'in the Whisparr v3 source, missing from its stale spec (optional in our schema)',
	'whisparr-v2 SeriesResource.seriesType':
		'Sonarr field, optional; Whisparr v2 sites do not send it',
	'whisparr-v2 SeriesResource.imdbId': 'Sonarr field, optional; Whisparr v2 sites do not send it',
	'whisparr-v2 SeriesResource.tmdbId': 'Sonarr field, optional; Whisparr v2 sites do not send it',
	'whisparr-v2 EpisodeResource.releaseDate':
		'DateOnly in the spec, a "yyyy-MM-dd" string on the wire (arr-api README §6)'
};

const contract = loadContract();

describe.each(Object.entries(USED) as [ContractApp, [string, v.GenericSchema][]][])(
	'%s resources',
	(app, used) => {
		it.each(used.map(([resource, schema]) => [resource, schema] as const))(
			'%s: every field we read is in the spec with a compatible type',
			(resource, schema) => {
				const spec = contract.apps[app].schemas[resource];
				expect(spec, `${resource} missing from the ${app} contract`).toBeDefined();
				const problems: string[] = [];
				for (const [field, fieldSchema] of Object.entries(entriesOf(schema))) {
					const property = spec?.[field];
					if (KNOWN_GAPS[`${app} ${resource}.${field}`]) continue;
					if (!property) problems.push(`${field}: not in the spec`);
					else if (!compatible(fieldSchema, property.type)) {
						problems.push(`${field}: spec type ${property.type}`);
					}
				}
				expect(problems).toEqual([]);
			}
		);
	}
);
