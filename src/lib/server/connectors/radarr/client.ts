/**
 * Radarr (v4–v6, API v3) client: the library read sync needs.
 * Endpoints: `GET /api/v3/movie` and `GET /api/v3/movie/{id}` (MovieResource with the embedded `movieFile`, which carries
 * `qualityCutoffNotMet`).
 */
import { BaseArrClient } from '../common/base-client';
import { ArrApiError } from '../common/errors';
import { paginate, type Page } from '../common/paging';
import { id, parseList } from '../common/schemas';
import * as v from 'valibot';
import type { MirrorMovie, Parsed } from '../common/types';
import { toMirrorMovie } from './mapper';
import { MovieSchema } from './types';

export class RadarrClient extends BaseArrClient {
	/** Every movie with its file's quality state. Malformed movies are skipped and counted. */
	async listMovies(): Promise<Parsed<MirrorMovie>> {
		return this.parseMovies(await this.http.request('GET', '/api/v3/movie', { library: true }));
	}

	/**
	 * `GET /api/v3/movie` parsed as it streams: batches of about `batchSize` movies (malformed
	 * ones skipped and counted per batch).
	 */
	async *streamMovies(batchSize = 1000): AsyncGenerator<Parsed<MirrorMovie>> {
		for await (const batch of this.http.streamList('/api/v3/movie', { library: true, batchSize })) {
			yield this.parseMovies(batch);
		}
	}

	/**
	 * One movie (`GET /api/v3/movie/{id}`), for a refresh of just that movie (webhooks in).
	 * @returns null when the app has no movie with that id (404).
	 * @throws ArrApiError for any other failure, `invalid_response` when the movie does not parse.
	 */
	async getMovie(movieArrId: number): Promise<MirrorMovie | null> {
		let body: unknown;
		try {
			body = await this.http.request('GET', `/api/v3/movie/${movieArrId}`);
		} catch (error) {
			if (error instanceof ArrApiError && error.kind === 'not_found') return null;
			throw error;
		}
		if (body === null || typeof body !== 'object' || Array.isArray(body)) {
			throw new ArrApiError('invalid_response', 'movie: expected an object');
		}
		// Through parseMovies, so Whisparr v3's scene fields are read by its own override.
		const [movie] = this.parseMovies([body]).items;
		if (!movie) throw new ArrApiError('invalid_response', 'movie: does not parse');
		return movie;
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
