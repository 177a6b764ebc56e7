/**
 * CLI: `bun tests/arr-sim/main.ts` starts one Sonarr at /sonarr, one Radarr at /radarr, one
 * Whisparr v2 at /whisparr and one Whisparr v3 at /whisparr3.
 *
 * Environment: SIM_PORT (8989; 0 = random), SIM_SERIES (30), SIM_MOVIES (80), SIM_SEED (1),
 * SIM_SONARR_KEY (0123456789abcdef0123456789abcdef), SIM_RADARR_KEY
 * (fedcba9876543210fedcba9876543210), SIM_WHISPARR_KEY (abcdefabcdefabcdefabcdefabcdef01),
 * SIM_WHISPARR3_KEY (1234512345123451234512345123451a), SIM_HOST (127.0.0.1).
 * Whisparr v2 gets a third of SIM_SERIES sites, Whisparr v3 a third of SIM_MOVIES items
 * (rounded up).
 * Prints `arr-sim listening on http://127.0.0.1:PORT (sonarr: /sonarr, radarr: /radarr,
 * whisparr: /whisparr, whisparr3: /whisparr3, sonarr-large: /sonarr-large)` and stops cleanly on SIGINT/SIGTERM.
 */
import { startSimulator } from './index';

function envInt(name: string, fallback: number): number {
	const raw = process.env[name];
	if (raw === undefined || raw.trim() === '') {
		return fallback;
	}
	const n = Number(raw);
	if (!Number.isInteger(n) || n < 0) {
		console.error(`arr-sim: ${name} must be a non-negative integer, got '${raw}'`);
		process.exit(2);
	}
	return n;
}

const seriesCount = envInt('SIM_SERIES', 30);
/** Series of `/sonarr-large`, a library whose sync takes seconds (the e2e progress test). */
const largeSeriesCount = envInt('SIM_LARGE_SERIES', 0);
const movieCount = envInt('SIM_MOVIES', 80);

const sim = await startSimulator({
	port: envInt('SIM_PORT', 8989),
	hostname: process.env.SIM_HOST ?? '127.0.0.1',
	instances: [
		{
			type: 'sonarr',
			urlBase: '/sonarr',
			apiKey: process.env.SIM_SONARR_KEY ?? '0123456789abcdef0123456789abcdef',
			seed: envInt('SIM_SEED', 1),
			series: seriesCount
		},
		{
			type: 'radarr',
			urlBase: '/radarr',
			apiKey: process.env.SIM_RADARR_KEY ?? 'fedcba9876543210fedcba9876543210',
			seed: envInt('SIM_SEED', 1),
			movies: movieCount
		},
		{
			type: 'whisparr-v2',
			urlBase: '/whisparr',
			apiKey: process.env.SIM_WHISPARR_KEY ?? 'abcdefabcdefabcdefabcdefabcdef01',
			seed: envInt('SIM_SEED', 1),
			series: Math.ceil(seriesCount / 3)
		},
		{
			type: 'whisparr-v3',
			urlBase: '/whisparr3',
			apiKey: process.env.SIM_WHISPARR3_KEY ?? '1234512345123451234512345123451a',
			seed: envInt('SIM_SEED', 1),
			movies: Math.ceil(movieCount / 3)
		},
		{
			type: 'sonarr',
			urlBase: '/sonarr-large',
			apiKey: process.env.SIM_SONARR_KEY ?? '0123456789abcdef0123456789abcdef',
			seed: envInt('SIM_SEED', 1) + 1,
			series: largeSeriesCount
		}
	]
});

console.log(
	`arr-sim listening on ${sim.url} (sonarr: /sonarr, radarr: /radarr, whisparr: /whisparr, whisparr3: /whisparr3, sonarr-large: /sonarr-large)`
);

let stopping = false;
const shutdown = (): void => {
	if (stopping) {
		return;
	}
	stopping = true;
	sim.stop().then(
		() => process.exit(0),
		(err: unknown) => {
			console.error('arr-sim: stop failed', err);
			process.exit(1);
		}
	);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
