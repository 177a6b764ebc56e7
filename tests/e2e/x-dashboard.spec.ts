/**
 * The dashboard as a user sees it (issue 11 §7, §8): each connector's completion ring, an
 * activity entry that links to the item it is about, a running job with its progress, and a
 * sidebar whose background reaches the bottom of a long page.
 *
 * Adds its own connectors (unique names), so it runs alone or after the other specs, and removes
 * them at the end so the specs after it see the library they expect.
 */
import { expect, test, type APIRequestContext } from '@playwright/test';
import { APP, RADARR_KEY, SIM, SONARR_KEY, logIn, openPage } from './helpers';

const ORIGIN = { Origin: APP };

/** Connectors this spec added, removed in `afterAll`. */
const added: number[] = [];

test.afterAll(async ({ browser }) => {
	const page = await browser.newPage();
	await logIn(page);
	for (const id of added) {
		const removed = await page.request.delete(`/api/v1/connectors/${id}`, { headers: ORIGIN });
		expect(removed.status()).toBe(204);
	}
	await page.close();
});

interface FeedEntry {
	id: number;
	type: string;
	text: string;
	href: string | null;
	connectorId: number | null;
}

async function jobStatus(api: APIRequestContext, id: number): Promise<string> {
	return ((await (await api.get(`/api/v1/jobs/${id}`)).json()) as { status: string }).status;
}

/** Adds a connector and returns its id. */
async function addConnector(
	api: APIRequestContext,
	data: { type: string; name: string; url: string; apiKey: string }
): Promise<number> {
	const created = await api.post('/api/v1/connectors', { headers: ORIGIN, data });
	expect(created.status()).toBe(201);
	const { id } = (await created.json()) as { id: number };
	added.push(id);
	return id;
}

/** Starts a sync or sweep and waits for it to succeed. */
async function runJob(api: APIRequestContext, path: string): Promise<void> {
	const started = await api.post(path, { headers: ORIGIN });
	expect(started.status()).toBe(202);
	const id = ((await started.json()) as { job: { id: number } }).job.id;
	await expect.poll(() => jobStatus(api, id), { timeout: 60_000 }).toBe('success');
}

test('each connector shows its completion ring, and a finished search links to its movie', async ({
	page
}) => {
	test.setTimeout(120_000);
	await logIn(page);
	const api = page.request;
	const name = `Dash Radarr ${Date.now()}`;
	const id = await addConnector(api, {
		type: 'radarr',
		name,
		url: `${SIM}/radarr`,
		apiKey: RADARR_KEY
	});
	await runJob(api, `/api/v1/connectors/${id}/sync`);
	await runJob(api, `/api/v1/connectors/${id}/sweep`);
	const movies = (await (
		await api.get(`/api/v1/movies?connectorId=${id}&pageSize=100`)
	).json()) as { items: { id: number; wanted: string | null }[] };
	const wanted = movies.items.find((m) => m.wanted !== null);
	expect(wanted, 'a wanted movie').toBeDefined();
	// Out of the sweep's batches, then searched alone: one command for this one movie.
	for (const action of ['exhaust', 'clear-search-state']) {
		const done = await api.post(`/api/v1/movies/${wanted!.id}/${action}`, { headers: ORIGIN });
		expect(done.status(), `${action}: ${await done.text()}`).toBe(200);
	}
	const search = await api.post(`/api/v1/movies/${wanted!.id}/search`, { headers: ORIGIN });
	expect(search.status(), await search.text()).toBe(202);
	// Dispatcher passes send the search and follow it until the app reports it done.
	let entry: FeedEntry | undefined;
	await expect
		.poll(
			async () => {
				await api.post('/api/v1/queue/dispatch', { headers: ORIGIN });
				const feed = (await (await api.get('/api/v1/events?limit=100')).json()) as {
					entries: FeedEntry[];
				};
				entry = feed.entries.find(
					(e) => e.type === 'search.completed' && e.href === `/movies/${wanted!.id}`
				);
				return entry?.href ?? null;
			},
			{ timeout: 60_000, intervals: [1_000] }
		)
		.toBe(`/movies/${wanted!.id}`);

	await openPage(page, '/dashboard');
	await expect(
		page.getByRole('img', {
			name: new RegExp(`^${name}: \\d+% complete, [\\d,]+ of [\\d,]+ monitored movies$`)
		})
	).toBeVisible();
	await expect(
		page.getByRole('img', { name: `${name} completion, last 30 days: no data yet` })
	).toBeVisible();
	const feed = page.getByRole('list', { name: 'Recent activity' });
	const link = feed.getByRole('link', { name: entry!.text });
	await expect(link).toHaveAttribute('href', entry!.href!);
	await link.click();
	await expect(page).toHaveURL(new RegExp(`${entry!.href!}$`));
	await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
});

test('a running sync shows its progress on the dashboard until it ends', async ({ page }) => {
	test.setTimeout(120_000);
	await logIn(page);
	const api = page.request;
	const name = `Dash Large ${Date.now()}`;
	const id = await addConnector(api, {
		type: 'sonarr',
		name,
		url: `${SIM}/sonarr-large`,
		apiKey: SONARR_KEY
	});
	const started = await api.post(`/api/v1/connectors/${id}/sync`, { headers: ORIGIN });
	expect(started.status()).toBe(202);
	const runId = ((await started.json()) as { job: { id: number } }).job.id;

	await openPage(page, '/dashboard');
	const running = page.getByRole('region', { name: 'Running now' });
	const bar = running.getByRole('progressbar', { name: `Full sync of ${name} progress` });
	await expect(bar).toBeVisible();
	// It moves, and once the run is over the dashboard reloads without it.
	await expect
		.poll(async () => Number((await bar.getAttribute('aria-valuenow')) ?? 0), { timeout: 60_000 })
		.toBeGreaterThan(0);
	await expect.poll(() => jobStatus(api, runId), { timeout: 90_000 }).toBe('success');
	await expect(running.locator(`[data-run="${runId}"]`)).toHaveCount(0, { timeout: 15_000 });
});

test('the sidebar reaches the bottom of a long page', async ({ page }) => {
	await page.setViewportSize({ width: 1440, height: 900 });
	await logIn(page);
	const id = await addConnector(page.request, {
		type: 'radarr',
		name: `Dash Long ${Date.now()}`,
		url: `${SIM}/radarr`,
		apiKey: RADARR_KEY
	});
	await runJob(page.request, `/api/v1/connectors/${id}/sync`);
	await openPage(page, '/content?pageSize=100');
	const height = await page.evaluate(() => document.documentElement.scrollHeight);
	expect(height, 'the page is longer than the window').toBeGreaterThan(1800);
	const sidebar = page.locator('[data-slot="sidebar"]');
	// Its background and border run the whole length of the page…
	const box = await sidebar.evaluate((el) => {
		const r = el.getBoundingClientRect();
		return { height: r.height, background: getComputedStyle(el).backgroundColor };
	});
	expect(box.height).toBeGreaterThanOrEqual(height - 1);
	expect(box.background).not.toBe('rgba(0, 0, 0, 0)');
	// …and scrolled to the end, its navigation is still in view.
	await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
	await expect(sidebar.getByRole('link', { name: 'Dashboard' })).toBeInViewport();
	await page.screenshot({
		path: '.test-results/screenshots/sidebar-long-page.png',
		fullPage: true
	});
});
