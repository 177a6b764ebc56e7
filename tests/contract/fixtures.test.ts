/**
 * Every real captured response in ../shared/arr-api/fixtures goes through our schemas and mappers
 * without error. The fixtures stay in ../shared (never copied here), so these tests exist only
 * where it is present (CI and the developers' machines); a plain clone runs the rest of the suite.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { SHARED_ARR_API, sharedPresent } from './contract';
import {
	CommandSchema,
	HealthItemSchema,
	HistorySchema,
	QualityProfileSchema,
	SystemStatusSchema,
	TagSchema,
	parseList,
	parseOne
} from '../../src/lib/server/connectors/common/schemas';
import { describeBody } from '../../src/lib/server/connectors/common/http';
import {
	EpisodeFileSchema,
	EpisodeSchema,
	SeriesSchema
} from '../../src/lib/server/connectors/sonarr/types';
import { MovieFileSchema, MovieSchema } from '../../src/lib/server/connectors/radarr/types';
import { toMirrorEpisode, toMirrorSeries } from '../../src/lib/server/connectors/sonarr/mapper';
import { toMirrorMovie } from '../../src/lib/server/connectors/radarr/mapper';

const dir = path.join(SHARED_ARR_API, 'fixtures');
const read = (file: string): unknown => JSON.parse(readFileSync(path.join(dir, file), 'utf8'));

/** Fixtures of endpoints Comradarr never reads (download queue, root folders). */
const NOT_READ = new Set(['sonarr/rootfolder.json', 'radarr/queue.json', 'radarr/rootfolder.json']);

type Check = () => void;
const CHECKS: Record<string, Check> = {
	'sonarr/system-status.json': () =>
		expect(parseOne(SystemStatusSchema, read('sonarr/system-status.json'), 'status').appName).toBe(
			'Sonarr'
		),
	'radarr/system-status.json': () =>
		expect(parseOne(SystemStatusSchema, read('radarr/system-status.json'), 'status').appName).toBe(
			'Radarr'
		),
	'sonarr/health.json': () => allParse(HealthItemSchema, 'sonarr/health.json'),
	'radarr/health.json': () => allParse(HealthItemSchema, 'radarr/health.json'),
	'sonarr/command-id.json': () =>
		expect(parseOne(CommandSchema, read('sonarr/command-id.json'), 'command').status).toBeTruthy(),
	'sonarr/command-list.json': () => allParse(CommandSchema, 'sonarr/command-list.json'),
	'radarr/command-list.json': () => allParse(CommandSchema, 'radarr/command-list.json'),
	'sonarr/series.json': () => {
		const series = allParse(SeriesSchema, 'sonarr/series.json').map(toMirrorSeries);
		expect(series[0]?.seasons.length).toBeGreaterThan(0);
	},
	'sonarr/episode.json': () => {
		const episodes = allParse(EpisodeSchema, 'sonarr/episode.json').map((e) =>
			toMirrorEpisode(e, new Map())
		);
		expect(episodes[0]?.airDateUtc?.toISOString()).toBe('2015-06-22T02:30:00.000Z');
	},
	'sonarr/episodefile.json': () => allParse(EpisodeFileSchema, 'sonarr/episodefile.json'),
	'sonarr/qualityprofile.json': () =>
		expect(allParse(QualityProfileSchema, 'sonarr/qualityprofile.json')[0]?.cutoff).toBe(4),
	'sonarr/tag.json': () => allParse(TagSchema, 'sonarr/tag.json'),
	// history/since answers a plain list of HistoryResource; the paged /history holds the same records.
	'sonarr/history.json': () => {
		const records = allParse(
			HistorySchema,
			'sonarr/history.json',
			(d) => (d as { records: unknown }).records
		);
		expect(records[0]).toMatchObject({ eventType: 'downloadFolderImported', seriesId: 106 });
	},
	'radarr/history-movie.json': () =>
		expect(allParse(HistorySchema, 'radarr/history-movie.json')[0]?.movieId).toBe(1),
	// Swagger-example placeholders (id 0, seriesId 0 — the apps' ids start at 1): the page shape
	// reads, and its one placeholder record is skipped and counted instead of becoming a mirror row.
	'sonarr/wanted-missing.json': () => placeholderPage('sonarr/wanted-missing.json'),
	'sonarr/wanted-missing-includeSeries.json': () =>
		placeholderPage('sonarr/wanted-missing-includeSeries.json'),
	'radarr/movie.json': () => {
		const movies = allParse(MovieSchema, 'radarr/movie.json').map((m) => toMirrorMovie(m));
		expect(movies.every((m) => typeof m.hasFile === 'boolean')).toBe(true);
	},
	'radarr/moviefile.json': () => allParse(MovieFileSchema, 'radarr/moviefile.json'),
	// Trimmed captures keep a few fields only (no id, no title): nothing throws; every item is
	// skipped and counted, as a malformed item is during a sync.
	'sonarr/series.trimmed.json': () => allSkipped(SeriesSchema, 'sonarr/series.trimmed.json'),
	'radarr/movie.trimmed.json': () => allSkipped(MovieSchema, 'radarr/movie.trimmed.json'),
	// Error bodies are described by kind, never quoted (their text is whatever answered).
	'common/error-500-database-locked.radarr.json': () =>
		expect(
			describeBody(
				readFileSync(path.join(dir, 'common/error-500-database-locked.radarr.json'), 'utf8'),
				'application/json'
			)
		).toBe('a JSON error message'),
	'common/error-400-model-binding.json': () =>
		expect(
			describeBody(
				readFileSync(path.join(dir, 'common/error-400-model-binding.json'), 'utf8'),
				'application/problem+json'
			)
		).toBe('a JSON error message')
};

function allParse<S extends v.GenericSchema>(
	schema: S,
	file: string,
	pick: (d: unknown) => unknown = (d) => d
): v.InferOutput<S>[] {
	const parsed = parseList(schema, pick(read(file)), file);
	expect(parsed.skipped, `${file}: items skipped`).toBe(0);
	expect(parsed.items.length).toBeGreaterThan(0);
	return parsed.items;
}

function placeholderPage(file: string): void {
	const page = read(file) as { totalRecords: number; records: { id: number }[] };
	expect(page.records).toHaveLength(page.totalRecords);
	expect(page.records.every((r) => r.id === 0)).toBe(true);
	const parsed = parseList(EpisodeSchema, page.records, file);
	expect(parsed.skipped).toBe(page.records.length);
}

function allSkipped(schema: v.GenericSchema, file: string): void {
	const list = read(file) as unknown[];
	const parsed = parseList(schema, list, file);
	expect(parsed.items).toHaveLength(0);
	expect(parsed.skipped).toBe(list.length);
}

if (sharedPresent) {
	const files = ['sonarr', 'radarr', 'common'].flatMap((app) =>
		readdirSync(path.join(dir, app))
			.filter((f) => f.endsWith('.json'))
			.map((f) => `${app}/${f}`)
	);

	describe('captured *arr responses', () => {
		it('classifies every fixture as read (with a check) or not read by Comradarr', () => {
			expect(files.filter((f) => !CHECKS[f] && !NOT_READ.has(f))).toEqual([]);
		});
		it.each(Object.keys(CHECKS))('%s goes through our schemas and mappers', (file) => {
			CHECKS[file]!();
		});
	});
} else {
	describe('captured *arr responses', () => {
		it('are checked where ../shared/arr-api is present; the check table names only real fixture paths', () => {
			for (const file of Object.keys(CHECKS)) {
				expect(file).toMatch(/^(sonarr|radarr|common)\/[\w.-]+\.json$/);
			}
		});
	});
}
