/**
 * Radarr (v4–v6, API v3) client: the library read sync needs.
 * Endpoint: `GET /api/v3/movie` (MovieResource with the embedded `movieFile`, which carries
 * `qualityCutoffNotMet`).
 */
import { BaseArrClient } from '../common/base-client';
import { parseList } from '../common/schemas';
import type { MirrorMovie, Parsed } from '../common/types';
import { toMirrorMovie } from './mapper';
import { MovieSchema } from './types';

export class RadarrClient extends BaseArrClient {
	/** Every movie with its file's quality state. Malformed movies are skipped and counted. */
	async listMovies(): Promise<Parsed<MirrorMovie>> {
		return this.parseMovies(await this.http.request('GET', '/api/v3/movie', { timeoutMs: 300_000 }));
	}

	/** MovieResource list → mirror rows; Whisparr v3 overrides this for its scene fields. */
	protected parseMovies(body: unknown): Parsed<MirrorMovie> {
		const parsed = parseList(MovieSchema, body, 'movie');
		return { items: parsed.items.map(toMirrorMovie), skipped: parsed.skipped, skippedIds: parsed.skippedIds };
	}
}
