/**
 * Radarr (v4–v6, API v3) client: the library read sync needs.
 * Endpoint: `GET /api/v3/movie` (MovieResource with the embedded `movieFile`, which carries
 * `qualityCutoffNotMet`).
 */
import { BaseArrClient } from '../common/base-client';
import { paginate, type Page } from '../common/paging';
import { id } from '../common/schemas';
import * as v from 'valibot';
import { parseList } from '../common/schemas';
import type { MirrorMovie, Parsed } from '../common/types';
import { toMirrorMovie } from './mapper';
import { MovieSchema } from './types';

export class RadarrClient extends BaseArrClient {
	/** Every movie with its file's quality state. Malformed movies are skipped and counted. */
	async listMovies(): Promise<Parsed<MirrorMovie>> {
		return this.parseMovies(await this.http.request('GET', '/api/v3/movie', { library: true }));
	}

	/**
	 * `GET /api/v3/wanted/missing` or `/wanted/cutoff` (monitored only), page by page, as movie arr
	 * ids. Whisparr v3's published API has no wanted endpoints: never call this for it.
	 */
	async *wantedMovieIds(kind: 'missing' | 'cutoff'): AsyncGenerator<Page<number>> {
		for await (const page of paginate(this.http, `/api/v3/wanted/${kind}`, v.looseObject({ id }), {
			monitored: true
		})) {
			yield { ...page, items: page.items.map((m) => m.id) };
		}
	}

	/** MovieResource list → mirror rows; Whisparr v3 overrides this for its scene fields. */
	protected parseMovies(body: unknown): Parsed<MirrorMovie> {
		const parsed = parseList(MovieSchema, body, 'movie');
		return {
			items: parsed.items.map((m) => toMirrorMovie(m)),
			skipped: parsed.skipped,
			skippedIds: parsed.skippedIds
		};
	}
}
