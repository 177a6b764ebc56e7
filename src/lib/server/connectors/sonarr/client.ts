/**
 * Sonarr (v3 and v4, API v3) client: the library reads sync needs.
 * Endpoints: `GET /api/v3/series`, `GET /api/v3/series/{id}`, `GET /api/v3/episode?seriesId=`,
 * `GET /api/v3/episodefile?seriesId=`.
 */
import { BaseArrClient } from '../common/base-client';
import { paginate, type Page } from '../common/paging';
import { ArrApiError } from '../common/errors';
import { parseList, parseOne } from '../common/schemas';
import type { MirrorEpisode, MirrorSeries, Parsed } from '../common/types';
import { toMirrorEpisode, toMirrorSeries } from './mapper';
import {
	EpisodeFileSchema,
	EpisodeIdSchema,
	EpisodeSchema,
	SeriesSchema,
	type SonarrEpisodeFile
} from './types';

/**
 * The version of what `listEpisodes` makes of the app's bodies (the schemas, the mappers, the
 * mirror's episode columns): part of every digest, so a digest stored by an older mapping never
 * matches. Change it with any change that makes the same bodies give other mirror rows.
 */
export const EPISODE_LIST_FORMAT = 'episodes-v1';

/**
 * One series' episodes from `listEpisodes`: the mirror rows, or `unchanged` when the bodies'
 * digest equals the one the caller passed (nothing parsed).
 */
export type EpisodeList = ParsedEpisodeList | { unchanged: true; digest: string };

/** One series' episodes as mirror rows, with the digest of the lists they were read from. */
export type ParsedEpisodeList = Parsed<MirrorEpisode> & { unchanged: false; digest: string };

/** Quality state of episode files by id, as the episode mappers need it. */
export type EpisodeFileMap = ReadonlyMap<number, SonarrEpisodeFile>;

export class SonarrClient extends BaseArrClient {
	/** Every series with its seasons and their statistics. Malformed series are skipped and counted. */
	async listSeries(): Promise<Parsed<MirrorSeries>> {
		const body = await this.http.request('GET', '/api/v3/series', { library: true });
		return this.parseSeries(body);
	}

	/**
	 * `GET /api/v3/series` parsed as it streams: batches of about `batchSize` series (each batch
	 * parsed item by item, malformed series skipped and counted).
	 */
	async *streamSeries(batchSize = 500): AsyncGenerator<Parsed<MirrorSeries>> {
		for await (const batch of this.http.streamList('/api/v3/series', {
			library: true,
			batchSize
		})) {
			yield this.parseSeries(batch);
		}
	}

	protected parseSeries(body: unknown): Parsed<MirrorSeries> {
		const parsed = parseList(SeriesSchema, body, 'series');
		return {
			items: parsed.items.map(toMirrorSeries),
			skipped: parsed.skipped,
			skippedIds: parsed.skippedIds
		};
	}

	/**
	 * One series (`GET /api/v3/series/{id}`, SeriesResource with season statistics), for a refresh
	 * of just that series (webhooks in).
	 * @returns null when the app has no series with that id (404).
	 * @throws ArrApiError for any other failure, `invalid_response` when the series does not parse.
	 */
	async getSeries(seriesArrId: number): Promise<MirrorSeries | null> {
		let body: unknown;
		try {
			body = await this.http.request('GET', `/api/v3/series/${seriesArrId}`);
		} catch (error) {
			if (error instanceof ArrApiError && error.kind === 'not_found') return null;
			throw error;
		}
		return toMirrorSeries(parseOne(SeriesSchema, body, 'series'));
	}

	/**
	 * The episodes of one series joined with their episode files' quality
	 * (EpisodeFileResource.qualityCutoffNotMet). Two requests per series
	 * (`GET /api/v3/episode?seriesId=`, `GET /api/v3/episodefile?seriesId=`).
	 *
	 * `digest` is a SHA-256 (hex) of both bodies as received and of {@link EPISODE_LIST_FORMAT}:
	 * equal digests mean the app sent the same bytes for a mapping of the same version. When it
	 * equals `options.unlessDigest` (what the mirror stored at its last write of this series), the
	 * bodies are not parsed and `{unchanged: true}` comes back.
	 */
	async listEpisodes(seriesArrId: number): Promise<ParsedEpisodeList>;
	async listEpisodes(
		seriesArrId: number,
		options: { unlessDigest: string | null }
	): Promise<EpisodeList>;
	async listEpisodes(
		seriesArrId: number,
		options: { unlessDigest?: string | null } = {}
	): Promise<EpisodeList> {
		const [episodesBody, filesBody] = await Promise.all([
			this.http.requestBody('GET', '/api/v3/episode', {
				query: { seriesId: seriesArrId },
				library: true
			}),
			this.http.requestBody('GET', '/api/v3/episodefile', {
				query: { seriesId: seriesArrId },
				library: true
			})
		]);
		const digest = new Bun.CryptoHasher('sha256')
			.update(EPISODE_LIST_FORMAT)
			.update('\n')
			.update(episodesBody.text)
			.update('\n')
			.update(filesBody.text)
			.digest('hex');
		if (options.unlessDigest === digest) return { unchanged: true, digest };
		const files = parseList(EpisodeFileSchema, filesBody.json(), 'episodefile');
		const byId = new Map<number, SonarrEpisodeFile>(files.items.map((f) => [f.id, f]));
		const episodes = this.parseEpisodes(episodesBody.json(), byId);
		return { ...episodes, skipped: episodes.skipped + files.skipped, unchanged: false, digest };
	}

	/**
	 * `GET /api/v3/wanted/missing` or `/wanted/cutoff` (monitored only), page by page: the app's
	 * own view of the gaps / upgrade candidates, as episode arr ids.
	 */
	async *wantedEpisodeIds(kind: 'missing' | 'cutoff'): AsyncGenerator<Page<number>> {
		for await (const page of paginate(this.http, `/api/v3/wanted/${kind}`, EpisodeIdSchema, {
			monitored: true
		})) {
			yield { ...page, items: page.items.map((e) => e.id) };
		}
	}

	/** EpisodeResource list → mirror rows; Whisparr v2 overrides this for its scene shape. */
	protected parseEpisodes(body: unknown, files: EpisodeFileMap): Parsed<MirrorEpisode> {
		const episodes = parseList(EpisodeSchema, body, 'episode');
		return {
			items: episodes.items.map((e) => toMirrorEpisode(e, files)),
			skipped: episodes.skipped,
			skippedIds: episodes.skippedIds
		};
	}
}
