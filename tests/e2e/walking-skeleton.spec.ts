/**
 * The outcome of issue #2, as a new user walks it: set up the admin, add Sonarr and Radarr
 * (the simulator), sync, sweep, dispatch — then check what the simulator received: only targeted
 * searches (SeasonSearch / EpisodeSearch / MoviesSearch), each for wanted items only, within the
 * Moderate throttle (≤ 5 commands per connector per minute, ≤ 10 items per command).
 */
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import type { RecordedRequest } from '../arr-sim';
import { RADARR_KEY, SIM, SONARR_KEY, openPage } from './helpers';

/** Every id of the wanted/missing + wanted/cutoff lists of a simulated app (episodes or movies). */
async function wantedIds(request: APIRequestContext, base: string, key: string) {
	const ids = new Set<number>();
	const seasons = new Set<string>();
	for (const kind of ['missing', 'cutoff']) {
		const res = await request.get(
			`${SIM}${base}/api/v3/wanted/${kind}?pageSize=100000&monitored=true`,
			{
				headers: { 'X-Api-Key': key }
			}
		);
		expect(res.ok()).toBe(true);
		const page = (await res.json()) as {
			records: { id: number; seriesId?: number; seasonNumber?: number }[];
		};
		for (const r of page.records) {
			ids.add(r.id);
			if (r.seriesId !== undefined) seasons.add(`${r.seriesId}:${r.seasonNumber}`);
		}
	}
	return { ids, seasons };
}

async function addConnector(page: Page, type: 'Sonarr' | 'Radarr', base: string, key: string) {
	await openPage(page, '/connectors/new');
	await page.getByLabel('Type').selectOption({ label: type });
	await page.getByLabel('Name').fill(type);
	await page.getByLabel('URL').fill(`${SIM}${base}`);
	await page.getByLabel('API key').fill(key);
	await page.getByRole('button', { name: 'Test connection' }).click();
	await expect(page.getByText(new RegExp(`Connected to ${type}`))).toBeVisible();
	await page.getByRole('button', { name: 'Save connector' }).click();
	await expect(page).toHaveURL(/\/connectors$/);
	await expect(page.getByRole('link', { name: type, exact: true })).toBeVisible();
}

test('a new user sets up Comradarr and the first throttled, targeted searches reach both apps', async ({
	page,
	request
}) => {
	await request.post(`${SIM}/__sim/reset`);

	// Every page leads to /setup until the admin exists.
	await page.goto('/dashboard');
	await expect(page).toHaveURL(/\/setup/);
	await page.getByLabel('Username').fill('admin');
	await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
	await page.getByLabel('Confirm password').fill('correct horse battery');
	await page.getByRole('button', { name: 'Create account' }).click();
	await expect(page).toHaveURL(/\/dashboard/);
	await expect(page.getByText('No connectors yet')).toBeVisible();

	// A wrong key is refused with a message on the field and nothing saved.
	await openPage(page, '/connectors/new');
	await page.getByLabel('Type').selectOption({ label: 'Sonarr' });
	await page.getByLabel('Name').fill('Wrong key');
	await page.getByLabel('URL').fill(`${SIM}/sonarr`);
	await page.getByLabel('API key').fill('00000000000000000000000000000000');
	await page.getByRole('button', { name: 'Save connector' }).click();
	await expect(page.getByText(/refused the API key/)).toBeVisible();

	await addConnector(page, 'Sonarr', '/sonarr', SONARR_KEY);
	await addConnector(page, 'Radarr', '/radarr', RADARR_KEY);

	// A sync is a background job: the action answers at once, the card follows the run to its end.
	for (const [name, library] of [
		['Sonarr', /series, [\d,]+ episodes in/],
		['Radarr', /[\d,]+ movies in/]
	] as const) {
		await page.getByRole('button', { name: `Sync now: ${name}` }).click();
		await expect(page.getByRole('status').filter({ hasText: /sync started/i })).toBeVisible();
		const progress = page
			.locator('[data-slot="sync-progress"]')
			.filter({ has: page.getByText(new RegExp(`^Full sync: .*${library.source}`)) });
		await expect(progress.locator('[data-slot="job-progress"][data-status="success"]')).toBeVisible(
			{ timeout: 30_000 }
		);
	}
	const sonarrWanted = await wantedIds(request, '/sonarr', SONARR_KEY);
	const radarrWanted = await wantedIds(request, '/radarr', RADARR_KEY);
	for (const name of ['Sonarr', 'Radarr']) {
		await page.getByRole('button', { name: `Sweep now: ${name}` }).click();
		await expect(page.getByRole('status').filter({ hasText: /Queued/ })).toBeVisible();
	}

	// The dashboard shows the gaps and upgrade candidates of both libraries.
	await page.goto('/dashboard');
	await expect(page.getByRole('heading', { name: 'Sonarr' })).toBeVisible();
	await expect(page.getByRole('heading', { name: 'Radarr' })).toBeVisible();
	await expect(page.getByText('No connectors yet')).toHaveCount(0);

	await request.delete(`${SIM}/__sim/requests`);
	await page.goto('/queue');
	await expect(page.getByRole('heading', { name: 'Pending' })).toBeVisible();
	await page.getByRole('button', { name: 'Dispatch now' }).click();
	await expect(page.getByRole('status').filter({ hasText: /Sent \d+ commands?/ })).toBeVisible();

	const requests = (await (await request.get(`${SIM}/__sim/requests`)).json()) as RecordedRequest[];
	const posts = requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/command');
	const byInstance = (base: string) => posts.filter((p) => p.instance === base);
	expect(byInstance('/sonarr').length).toBeGreaterThan(0);
	expect(byInstance('/radarr').length).toBeGreaterThan(0);
	for (const base of ['/sonarr', '/radarr']) expect(byInstance(base).length).toBeLessThanOrEqual(5);

	for (const post of posts) {
		expect(post.headers['x-api-key']).toBeTruthy();
		expect(post.query.apikey).toBeUndefined();
		const body = post.body as {
			name: string;
			episodeIds?: number[];
			movieIds?: number[];
			seriesId?: number;
			seasonNumber?: number;
		};
		expect(['SeasonSearch', 'EpisodeSearch', 'MoviesSearch']).toContain(body.name);
		if (body.name === 'EpisodeSearch') {
			expect(body.episodeIds!.length).toBeGreaterThan(0);
			expect(body.episodeIds!.length).toBeLessThanOrEqual(10);
			for (const id of body.episodeIds!) expect(sonarrWanted.ids.has(id)).toBe(true);
		} else if (body.name === 'MoviesSearch') {
			expect(post.instance).toBe('/radarr');
			expect(body.movieIds!.length).toBeGreaterThan(0);
			expect(body.movieIds!.length).toBeLessThanOrEqual(10);
			for (const id of body.movieIds!) expect(radarrWanted.ids.has(id)).toBe(true);
		} else {
			expect(sonarrWanted.seasons.has(`${body.seriesId}:${body.seasonNumber}`)).toBe(true);
		}
	}

	// The queue page shows what was sent; no page or API response carries an API key.
	await page.reload();
	for (const path of ['/dashboard', '/connectors', '/queue']) {
		await page.goto(path);
		const html = await page.content();
		expect(html).not.toContain(SONARR_KEY);
		expect(html).not.toContain(RADARR_KEY);
	}
	const api = await page.request.get('/api/v1/connectors');
	expect(api.ok()).toBe(true);
	const text = await api.text();
	expect(text).not.toContain(SONARR_KEY);
	expect(text).not.toContain(RADARR_KEY);
	expect(text).toContain(SONARR_KEY.slice(-4));
	const health = (await (await request.get('/health')).json()) as {
		status: string;
		connectors: unknown[];
	};
	expect(health.status).toBe('ok');
	expect(health.connectors).toHaveLength(2);
});
