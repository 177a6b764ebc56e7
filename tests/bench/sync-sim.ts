/**
 * The simulator side of the sync benchmark (tests/bench/sync.ts), run as its own process so the
 * syncing process's memory is measured alone. Started with Bun IPC; answers messages:
 * - `{op: 'change', share}`: changes `share` of the episodes (a third gain a file, a third get a
 *   better file of the same size class (a quality upgrade that met the cutoff), a third of aired
 *   missing episodes are unmonitored) and answers `{episodes, seasons}`: the episode rows and
 *   season rows whose mirrored values now differ.
 * - `{op: 'requests'}` → `{count}` requests received so far (all instances).
 *
 * Env: BENCH_SERIES, BENCH_SEASONS, BENCH_EPISODES (per season), BENCH_MOVIES, BENCH_SEED.
 */
import { startSimulator } from '../arr-sim';

const int = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const sim = await startSimulator({
	instances: [
		{
			type: 'sonarr',
			urlBase: '/sonarr',
			apiKey: 'a'.repeat(32),
			series: int('BENCH_SERIES', 5000),
			seed: int('BENCH_SEED', 1),
			seriesShape: {
				seasons: int('BENCH_SEASONS', 5),
				episodesPerSeason: int('BENCH_EPISODES', 20)
			}
		},
		{
			type: 'radarr',
			urlBase: '/radarr',
			apiKey: 'b'.repeat(32),
			movies: int('BENCH_MOVIES', 50000),
			seed: int('BENCH_SEED', 1)
		}
	]
});
const sonarr = sim.instance('/sonarr');

type Message = { op: 'change'; share: number } | { op: 'requests' };

/** Season statistics of the series in `ids` as GET /series reports them, keyed `series:season`. */
async function seasonStats(ids: Set<number>): Promise<Map<string, string>> {
	const out = new Map<string, string>();
	for (const id of ids) {
		const res = await fetch(`${sonarr.baseUrl}/api/v3/series/${id}`, {
			headers: { 'X-Api-Key': 'a'.repeat(32) }
		});
		const body = (await res.json()) as {
			seasons: { seasonNumber: number; monitored: boolean; statistics?: Record<string, unknown> }[];
		};
		for (const s of body.seasons) {
			const st = s.statistics ?? {};
			out.set(
				`${id}:${s.seasonNumber}`,
				JSON.stringify([
					s.monitored,
					st.episodeFileCount,
					st.episodeCount,
					st.totalEpisodeCount,
					st.sizeOnDisk,
					st.nextAiring,
					st.previousAiring
				])
			);
		}
	}
	return out;
}

async function change(share: number): Promise<{ episodes: number; seasons: number }> {
	const eps = sonarr.episodes;
	const files = new Map(sonarr.episodeFiles.map((f) => [f.id, f]));
	const target = Math.round(eps.length * share);
	const nowMs = Date.now();
	const missing = eps.filter(
		(e) =>
			e.episodeFileId === 0 && e.airDateUtc !== null && e.airDateUtc.getTime() < nowMs - 86_400_000
	);
	const below = eps.filter(
		(e) => e.episodeFileId > 0 && files.get(e.episodeFileId)?.qualityCutoffNotMet
	);
	const third = Math.floor(target / 3);
	const pick = <T>(list: T[], n: number, offset: number) => {
		const step = Math.max(1, Math.floor(list.length / Math.max(1, n)));
		const out: T[] = [];
		for (let i = offset % step; i < list.length && out.length < n; i += step) out.push(list[i]!);
		return out;
	};
	const gain = pick(missing, third, 0);
	const flip = pick(
		missing.filter((e) => !gain.includes(e) && e.monitored),
		third,
		1
	);
	const upgrade = pick(below, target - gain.length - flip.length, 0);
	const touched = new Set([...gain, ...flip, ...upgrade].map((e) => e.seriesId));
	const before = await seasonStats(touched);
	for (const e of gain) sonarr.setEpisodeFile(e.id, { cutoffNotMet: false });
	for (const e of upgrade) sonarr.setEpisodeFile(e.id, { cutoffNotMet: false });
	for (const e of flip) e.monitored = false;
	const after = await seasonStats(touched);
	let seasons = 0;
	for (const [key, value] of after) if (before.get(key) !== value) seasons++;
	return { episodes: gain.length + flip.length + upgrade.length, seasons };
}

process.on('message', (message: Message) => {
	const answer = async () => {
		if (message.op === 'change') return change(message.share);
		return { count: sim.instances.reduce((n, i) => n + i.requests.length, 0) };
	};
	answer().then(
		(value) => process.send?.(value),
		(error: unknown) => process.send?.({ error: String(error) })
	);
});
process.send?.({ ready: true, url: sim.url, episodes: sonarr.episodes.length });
process.on('SIGTERM', () => {
	void sim.stop().then(() => process.exit(0));
});
