/**
 * Webhooks in, over real HTTP (a Bun server in front of `receiveWebhook`, as the route does),
 * against a real PostgreSQL and the *arr simulator: the apps' own payloads (built from their
 * source classes, tests/helpers/webhook-payloads.ts) refresh just the item they name, without a
 * sync; every refusal changes nothing — neither the mirror nor the events — and calls no app.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { useWorld } from '../helpers/world';
import {
	radarrDownload,
	radarrGrab,
	radarrMovieDelete,
	radarrMovieFileDelete,
	radarrRename,
	radarrTest,
	sonarrDownload,
	sonarrEpisodeFileDelete,
	sonarrGrab,
	sonarrRename,
	sonarrSeriesDelete,
	sonarrTest,
	type EpisodeRef,
	type MovieRef,
	type SeriesRef
} from '../helpers/webhook-payloads';
import {
	connectors,
	episodes,
	events,
	movies,
	series,
	type Connector
} from '$lib/server/db/schema';
import { clientFor } from '$lib/server/connectors';
import { syncConnector } from '$lib/server/services/sync/sync-service';
import { toResources } from '$lib/server/api/v1';
import {
	WEBHOOK_BODY_LIMIT,
	createRefreshQueue,
	receiveWebhook,
	rotateWebhookSecret,
	runRefreshTask,
	type RefreshQueue
} from '$lib/server/services/webhooks';

const world = useWorld();
let server: ReturnType<typeof Bun.serve>;
let queue: RefreshQueue;
const clock = () => new Date();

beforeAll(() => {
	queue = createRefreshQueue({
		run: (task) => runRefreshTask({ db: world.db, secrets: world.secrets }, task),
		delayMs: 0
	});
	server = Bun.serve({
		port: 0,
		hostname: '127.0.0.1',
		fetch(request) {
			const url = new URL(request.url);
			const match = /^\/webhooks\/([^/]+)$/.exec(url.pathname);
			if (!match?.[1]) return new Response(null, { status: 404 });
			return receiveWebhook({ db: world.db, queue }, decodeURIComponent(match[1]), request, url);
		}
	});
});
afterAll(async () => {
	await server?.stop(true);
});

type Carrier = 'basic' | 'header' | 'query' | 'none';

interface Sent {
	status: number;
	body: Record<string, unknown>;
	ms: number;
}

async function send(
	connectorId: number | string,
	payload: unknown,
	options: {
		token?: string;
		carrier?: Carrier;
		raw?: string;
		headers?: Record<string, string>;
	} = {}
): Promise<Sent> {
	const carrier = options.carrier ?? (options.token ? 'basic' : 'none');
	const headers: Record<string, string> = {
		'content-type': 'application/json',
		...options.headers
	};
	let path = `/webhooks/${connectorId}`;
	if (options.token && carrier === 'basic') {
		headers.authorization = `Basic ${Buffer.from(`sonarr:${options.token}`).toString('base64')}`;
	} else if (options.token && carrier === 'header') {
		headers['x-comradarr-token'] = options.token;
	} else if (options.token && carrier === 'query') {
		path += `?token=${encodeURIComponent(options.token)}`;
	}
	const started = performance.now();
	const response = await fetch(`http://127.0.0.1:${server.port}${path}`, {
		method: 'POST',
		headers,
		body: options.raw ?? JSON.stringify(payload)
	});
	const ms = performance.now() - started;
	const text = await response.text();
	return {
		status: response.status,
		body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
		ms
	};
}

/** Sends `head` over a plain socket and resolves with the status line's code (0 after 3 s). */
function rawStatus(head: string): Promise<number> {
	return new Promise((resolve, reject) => {
		const socket = connect(server.port ?? 0, '127.0.0.1', () => socket.write(head));
		const timer = setTimeout(() => {
			socket.destroy();
			resolve(0);
		}, 3000);
		socket.once('data', (chunk) => {
			clearTimeout(timer);
			socket.destroy();
			resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1'))?.[1] ?? -1));
		});
		socket.once('error', reject);
	});
}

/** A synced connector of the simulator instance at `urlBase`, with a webhook secret. */
async function connected(urlBase: string): Promise<{ connector: Connector; secret: string }> {
	const connector = await world.addConnector(urlBase);
	const report = await syncConnector({
		db: world.db,
		connector,
		client: clientFor(connector, world.secrets)
	});
	expect(report.status).toBe('success');
	const { secret } = await rotateWebhookSecret(world.db, connector.id, clock);
	world.sim.clearRequests();
	return { connector: await world.connector(connector.id), secret };
}

/** Everything a refused webhook must leave as it was: every mirror row (with its version) and the events. */
async function snapshot(): Promise<string> {
	const [row] = await world.db.execute<{ state: string }>(sql`
		select concat_ws('|',
			(select string_agg(s.xmin::text || s::text, ',' order by s.id) from series s),
			(select string_agg(e.xmin::text || e::text, ',' order by e.id) from episodes e),
			(select string_agg(m.xmin::text || m::text, ',' order by m.id) from movies m),
			(select count(*)::text from events)) as state`);
	return row?.state ?? '';
}

function sonarrSeries(index = 0): { ref: SeriesRef; episodes: EpisodeRef[] } {
	const sim = world.sim.instance('/sonarr');
	const s = sim.series[index];
	if (!s) throw new Error('no series');
	return {
		ref: { id: s.id, title: s.title, tvdbId: s.tvdbId },
		episodes: sim.episodesOf(s.id).map((e) => ({
			id: e.id,
			seriesId: e.seriesId,
			seasonNumber: e.seasonNumber,
			episodeNumber: e.episodeNumber,
			title: e.title
		}))
	};
}

/** A series of the simulator with an episode that has (or lacks) a file, and that episode. */
function sonarrEpisode(hasFile: boolean): { ref: SeriesRef; episode: EpisodeRef } {
	const sim = world.sim.instance('/sonarr');
	for (let i = 0; i < sim.series.length; i++) {
		const { ref, episodes: eps } = sonarrSeries(i);
		const episode = eps.find(
			(e) => (sim.episodes.find((x) => x.id === e.id)?.episodeFileId ?? 0) > 0 === hasFile
		);
		if (episode) return { ref, episode };
	}
	throw new Error(`no episode ${hasFile ? 'with' : 'without'} a file`);
}

function radarrMovie(predicate: (hasFile: boolean) => boolean): MovieRef {
	const m = world.sim.instance('/radarr').movies.find((x) => predicate(x.movieFileId > 0));
	if (!m) throw new Error('no such movie');
	return { id: m.id, title: m.title, year: m.year, tmdbId: m.tmdbId };
}

async function mirrorEpisode(connectorId: number, arrId: number) {
	const [row] = await world.db
		.select()
		.from(episodes)
		.where(and(eq(episodes.connectorId, connectorId), eq(episodes.arrId, arrId)));
	return row;
}

async function mirrorMovie(connectorId: number, arrId: number) {
	const [row] = await world.db
		.select()
		.from(movies)
		.where(and(eq(movies.connectorId, connectorId), eq(movies.arrId, arrId)));
	return row;
}

async function eventsOf(type: string) {
	return world.db
		.select()
		.from(events)
		.where(eq(events.type, type as 'item.acquired'));
}

/** The paths the simulator was asked for since the last clear (no query). */
function requestedPaths(): string[] {
	return world.sim.requests.map((r) => r.path);
}

describe('a Download notification', () => {
	it('refreshes just its series: the imported episode gains its file, with an item.acquired event, without a sync', async () => {
		const { connector, secret } = await connected('/sonarr');
		const sim = world.sim.instance('/sonarr');
		const { ref, episode: missing } = sonarrEpisode(false);
		expect((await mirrorEpisode(connector.id, missing!.id))?.hasFile).toBe(false);

		const file = sim.setEpisodeFile(missing!.id, { cutoffNotMet: false });
		const answer = await send(connector.id, sonarrDownload(ref, [missing!], file!.id), {
			token: secret
		});
		expect(answer.status).toBe(202);
		expect(answer.body).toMatchObject({
			accepted: true,
			eventType: 'Download',
			action: 'refresh',
			item: { kind: 'series', arrId: ref.id }
		});
		await queue.idle();

		const row = await mirrorEpisode(connector.id, missing!.id);
		expect(row?.hasFile).toBe(true);
		expect(row?.episodeFileId).toBe(file!.id);
		const acquired = await eventsOf('item.acquired');
		expect(acquired).toHaveLength(1);
		expect(acquired[0]?.connectorId).toBe(connector.id);
		expect(acquired[0]?.subject).toMatchObject({
			arrSeriesId: ref.id,
			arrEpisodeIds: [missing!.id]
		});
		expect(acquired[0]?.payload).toMatchObject({ source: 'webhook', eventType: 'Download' });
		// Just that series: its resource, its episodes and its files — no library read.
		expect(requestedPaths().sort()).toEqual(
			['/api/v3/episode', '/api/v3/episodefile', `/api/v3/series/${ref.id}`].sort()
		);
	});

	it('records an upgrade (isUpgrade) as item.upgraded with the new file', async () => {
		const { connector, secret } = await connected('/sonarr');
		const sim = world.sim.instance('/sonarr');
		const { ref, episode: withFile } = sonarrEpisode(true);
		const before = await mirrorEpisode(connector.id, withFile!.id);
		expect(before?.hasFile).toBe(true);

		const file = sim.setEpisodeFile(withFile!.id, { cutoffNotMet: false });
		const answer = await send(
			connector.id,
			sonarrDownload(ref, [withFile!], file!.id, { oldFileId: before!.episodeFileId! }),
			{ token: secret }
		);
		expect(answer.status).toBe(202);
		await queue.idle();

		expect((await mirrorEpisode(connector.id, withFile!.id))?.episodeFileId).toBe(file!.id);
		const upgraded = await eventsOf('item.upgraded');
		expect(upgraded).toHaveLength(1);
		expect(upgraded[0]?.subject).toMatchObject({ arrEpisodeIds: [withFile!.id] });
		expect(upgraded[0]?.payload).toMatchObject({ source: 'webhook', eventType: 'Download' });
		expect(await eventsOf('item.acquired')).toHaveLength(0);
	});

	it('refreshes just its movie, imported or upgraded, and answers before the refresh is done', async () => {
		const { connector, secret } = await connected('/radarr');
		const sim = world.sim.instance('/radarr');
		const missing = radarrMovie((hasFile) => !hasFile);
		expect((await mirrorMovie(connector.id, missing.id))?.hasFile).toBe(false);
		// Imported below the cutoff first, then upgraded to a file that meets it.
		const file = sim.setMovieFile(missing.id, { cutoffNotMet: true });
		// The app is slow to answer the refresh: the webhook must not wait for it.
		sim.setFault('/api/v3/movie', { delayMs: 800 });
		const answer = await send(connector.id, radarrDownload(missing, file!.id, null), {
			token: secret
		});
		expect(answer.status).toBe(202);
		expect(answer.ms).toBeLessThan(600);
		expect((await mirrorMovie(connector.id, missing.id))?.hasFile).toBe(false);
		await queue.idle();
		sim.clearFaults();
		const row = await mirrorMovie(connector.id, missing.id);
		expect(row?.hasFile).toBe(true);
		expect(row?.movieFileId).toBe(file!.id);
		const acquired = await eventsOf('item.acquired');
		expect(acquired.map((e) => e.subject)).toEqual([{ movieId: row!.id, arrMovieId: missing.id }]);
		expect(requestedPaths()).toEqual([`/api/v3/movie/${missing.id}`]);

		const upgrade = sim.setMovieFile(missing.id, { cutoffNotMet: false });
		expect(
			(
				await send(connector.id, radarrDownload(missing, upgrade!.id, { oldFileId: file!.id }), {
					token: secret
				})
			).status
		).toBe(202);
		await queue.idle();
		expect((await mirrorMovie(connector.id, missing.id))?.movieFileId).toBe(upgrade!.id);
		expect(await eventsOf('item.upgraded')).toHaveLength(1);
		// Every other movie is still there.
		const [count] = await world.db
			.select({ n: sql<number>`count(*)::int` })
			.from(movies)
			.where(eq(movies.connectorId, connector.id));
		expect(count?.n).toBe(sim.movies.length);
	});
});

describe('file and item deletes', () => {
	it('an EpisodeFileDelete leaves the episode without a file', async () => {
		const { connector, secret } = await connected('/sonarr');
		const sim = world.sim.instance('/sonarr');
		const { ref, episode: withFile } = sonarrEpisode(true);
		const fileId = (await mirrorEpisode(connector.id, withFile.id))!.episodeFileId!;
		sim.setEpisodeFile(withFile.id, null);
		const answer = await send(connector.id, sonarrEpisodeFileDelete(ref, [withFile], fileId), {
			token: secret
		});
		expect(answer.status).toBe(202);
		await queue.idle();
		const row = await mirrorEpisode(connector.id, withFile.id);
		expect(row?.hasFile).toBe(false);
		expect(row?.episodeFileId).toBeNull();
	});

	it('a MovieFileDelete leaves the movie without a file', async () => {
		const { connector, secret } = await connected('/radarr');
		const movie = radarrMovie((hasFile) => hasFile);
		const fileId = (await mirrorMovie(connector.id, movie.id))!.movieFileId!;
		world.sim.instance('/radarr').setMovieFile(movie.id, null);
		expect(
			(await send(connector.id, radarrMovieFileDelete(movie, fileId), { token: secret })).status
		).toBe(202);
		await queue.idle();
		expect((await mirrorMovie(connector.id, movie.id))?.hasFile).toBe(false);
	});

	it('a SeriesDelete removes the series and its episodes from the mirror, with item.removed', async () => {
		const { connector, secret } = await connected('/sonarr');
		const { ref } = sonarrSeries(2);
		const [{ n: seriesBefore } = { n: 0 }] = await world.db
			.select({ n: sql<number>`count(*)::int` })
			.from(series);
		world.sim.instance('/sonarr').removeSeries(ref.id);
		expect((await send(connector.id, sonarrSeriesDelete(ref), { token: secret })).status).toBe(202);
		await queue.idle();
		const left = await world.db
			.select()
			.from(series)
			.where(and(eq(series.connectorId, connector.id), eq(series.arrId, ref.id)));
		expect(left).toHaveLength(0);
		const [{ n: seriesAfter } = { n: 0 }] = await world.db
			.select({ n: sql<number>`count(*)::int` })
			.from(series);
		expect(seriesAfter).toBe(seriesBefore - 1);
		const [{ n: orphans } = { n: 0 }] = await world.db.execute<{ n: number }>(
			sql`select count(*)::int as n from episodes e where not exists (select 1 from series s where s.id = e.series_id)`
		);
		expect(orphans).toBe(0);
		const removed = await eventsOf('item.removed');
		expect(removed.map((e) => e.subject.arrSeriesId)).toEqual([ref.id]);
	});

	it('a MovieDelete removes just that movie', async () => {
		const { connector, secret } = await connected('/radarr');
		const sim = world.sim.instance('/radarr');
		const movie = radarrMovie(() => true);
		sim.removeMovie(movie.id);
		expect((await send(connector.id, radarrMovieDelete(movie), { token: secret })).status).toBe(
			202
		);
		await queue.idle();
		expect(await mirrorMovie(connector.id, movie.id)).toBeUndefined();
		const [count] = await world.db.select({ n: sql<number>`count(*)::int` }).from(movies);
		expect(count?.n).toBe(sim.movies.length);
		expect((await eventsOf('item.removed')).map((e) => e.subject.arrMovieId)).toEqual([movie.id]);
	});
});

describe('notifications that change nothing mirrored', () => {
	it('Test, Grab and Rename from Sonarr and Radarr are accepted with 200 and call no app', async () => {
		const tv = await connected('/sonarr');
		const film = await connected('/radarr');
		const { ref, episodes: eps } = sonarrSeries(0);
		const movie = radarrMovie(() => true);
		const before = await snapshot();
		for (const [who, payload] of [
			[tv, sonarrTest()],
			[tv, sonarrGrab(ref, eps.slice(0, 1))],
			[tv, sonarrRename(ref, 1)],
			[film, radarrTest()],
			[film, radarrGrab(movie)],
			[film, radarrRename(movie, 1)]
		] as const) {
			const answer = await send(who.connector.id, payload, { token: who.secret });
			expect(answer.status, JSON.stringify(answer.body)).toBe(200);
			expect(answer.body).toMatchObject({ accepted: true, action: 'none' });
		}
		await queue.idle();
		expect(world.sim.requests).toHaveLength(0);
		expect(await snapshot()).toBe(before);
	});
});

describe('refusals change nothing', () => {
	it('a wrong token, a missing token and an unknown connector get the same 401', async () => {
		const { connector, secret } = await connected('/sonarr');
		const { ref, episodes: eps } = sonarrSeries(0);
		const payload = sonarrDownload(ref, eps.slice(0, 1), 1);
		const before = await snapshot();
		const wrong = await send(connector.id, payload, { token: 'x'.repeat(43) });
		const missing = await send(connector.id, payload);
		const unknown = await send(connector.id + 1000, payload, { token: secret });
		const notAnId = await send('abc', payload, { token: secret });
		for (const answer of [wrong, missing, unknown, notAnId]) {
			expect(answer.status).toBe(401);
			expect(answer.body).toEqual(wrong.body);
		}
		expect(wrong.body).toMatchObject({ error: { code: 'webhooks.unauthorized' } });
		await queue.idle();
		expect(world.sim.requests).toHaveLength(0);
		expect(await snapshot()).toBe(before);
	});

	it('a connector without a secret refuses every token', async () => {
		const connector = await world.addConnector('/sonarr');
		const answer = await send(connector.id, sonarrTest(), { token: 'anything' });
		expect(answer.status).toBe(401);
		// Not even the digest of the empty string opens it.
		expect((await send(connector.id, sonarrTest(), { token: ' ', carrier: 'header' })).status).toBe(
			401
		);
	});

	it('malformed JSON, a body that is no notification, another library and an oversized body are 4xx', async () => {
		const { connector, secret } = await connected('/sonarr');
		const before = await snapshot();
		const bad = await send(connector.id, null, {
			token: secret,
			raw: '{"eventType": "Download", '
		});
		expect(bad.status).toBe(400);
		expect(bad.body).toMatchObject({ error: { code: 'request.invalid_json' } });
		for (const payload of [
			[],
			{ eventType: 42 },
			{ series: { id: 1 } },
			{ eventType: 'Download', series: { id: -1 } }
		]) {
			const answer = await send(connector.id, payload, { token: secret });
			expect(answer.status, JSON.stringify(payload)).toBe(400);
			expect(answer.body).toMatchObject({ error: { code: 'webhooks.invalid_payload' } });
		}
		const movie = radarrMovie(() => true);
		const other = await send(connector.id, radarrDownload(movie, 1, null), { token: secret });
		expect(other.status).toBe(422);
		expect(other.body).toMatchObject({ error: { code: 'webhooks.wrong_library' } });
		const { ref } = sonarrSeries(0);
		const huge = { ...sonarrSeriesDelete(ref), padding: 'x'.repeat(WEBHOOK_BODY_LIMIT) };
		const tooLarge = await send(connector.id, huge, { token: secret });
		// Without a Content-Length (chunked), the size cannot be checked before reading: 411.
		const chunked = await fetch(`http://127.0.0.1:${server.port}/webhooks/${connector.id}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'x-comradarr-token': secret },
			body: new ReadableStream({
				start(controller) {
					controller.enqueue(new TextEncoder().encode(JSON.stringify(sonarrSeriesDelete(ref))));
					controller.close();
				}
			})
		});
		expect(chunked.status).toBe(411);
		// A Content-Length over the limit is refused before a byte of the body is read.
		const early = await rawStatus(
			`POST /webhooks/${connector.id} HTTP/1.1\r\nHost: x\r\nX-Comradarr-Token: ${secret}\r\n` +
				`Content-Type: application/json\r\nContent-Length: ${WEBHOOK_BODY_LIMIT * 8}\r\n\r\n{"eventType":`
		);
		expect(early).toBe(413);
		expect(tooLarge.status).toBe(413);
		expect(tooLarge.body).toMatchObject({ error: { code: 'request.too_large' } });
		await queue.idle();
		expect(world.sim.requests).toHaveLength(0);
		expect(await snapshot()).toBe(before);
	});
});

describe('the secret', () => {
	it('is accepted as the Basic password, the X-Comradarr-Token header or the token parameter', async () => {
		const { connector, secret } = await connected('/radarr');
		for (const carrier of ['basic', 'header', 'query'] as const) {
			const answer = await send(connector.id, radarrTest(), { token: secret, carrier });
			expect(answer.status, carrier).toBe(200);
		}
	});

	it('stops working when a new one is generated', async () => {
		const { connector, secret } = await connected('/sonarr');
		expect((await send(connector.id, sonarrTest(), { token: secret })).status).toBe(200);
		const { secret: next } = await rotateWebhookSecret(world.db, connector.id, clock);
		expect(next).not.toBe(secret);
		expect((await send(connector.id, sonarrTest(), { token: secret })).status).toBe(401);
		expect((await send(connector.id, sonarrTest(), { token: next })).status).toBe(200);
	});

	it('is stored only as its SHA-256 and never part of the connector resource', async () => {
		const { connector, secret } = await connected('/sonarr');
		const [row] = await world.db.execute<{ json: string }>(
			sql`select row_to_json(c)::text as json from connectors c where id = ${connector.id}`
		);
		expect(row?.json).not.toContain(secret);
		expect(connector.webhookSecretHash).toMatch(/^[0-9a-f]{64}$/);
		const [resource] = await toResources(world.db, [
			(await world.db.select().from(connectors).where(eq(connectors.id, connector.id)))[0]!
		]);
		const text = JSON.stringify(resource);
		expect(text).not.toContain(secret);
		expect(text).not.toContain(connector.webhookSecretHash!);
	});
});
