/**
 * The content browser in the browser (issue 11 "Done when"): a Radarr of the simulator is added,
 * synced and swept over the API (its dispatch paused, so what is queued stays in the queue); on
 * /content the user filters to that connector and "Missing", selects three movies, queues a
 * search for them after a confirmation that names the count, and finds them in the queue.
 *
 * A second test opens a Sonarr series that was searched: an episode in cooldown and the
 * series' history, with the way to the History page.
 *
 * Adds its own connector under its own name, so it runs alone or after the other specs.
 */
import { expect, test } from '@playwright/test';
import {
	APP,
	RADARR_KEY,
	SIM,
	SONARR_KEY,
	jobOf,
	logIn,
	openPage,
	toasts,
	waitForJob
} from './helpers';

const ORIGIN = { Origin: APP };

test('filter to missing for one connector, bulk-queue three movies and see them in the queue', async ({
	page
}) => {
	test.setTimeout(120_000);
	await logIn(page);
	const api = page.request;
	const name = `Content Radarr ${Date.now()}`;
	const created = await api.post('/api/v1/connectors', {
		headers: ORIGIN,
		data: { type: 'radarr', name, url: `${SIM}/radarr`, apiKey: RADARR_KEY }
	});
	expect(created.status()).toBe(201);
	const connector = (await created.json()) as { id: number };
	await waitForJob(
		api,
		await jobOf(await api.post(`/api/v1/connectors/${connector.id}/sync`, { headers: ORIGIN }))
	);
	expect(
		(
			await api.post('/api/v1/queue/pause', {
				headers: ORIGIN,
				data: { connectorId: connector.id }
			})
		).status()
	).toBe(200);
	await waitForJob(
		api,
		await jobOf(
			await api.post(`/api/v1/connectors/${connector.id}/sweep`, {
				headers: ORIGIN,
				data: { type: 'gaps' }
			})
		)
	);
	// The sweep queued its own batches; clear them so the queue shows only what the page queues.
	expect(
		(await api.delete(`/api/v1/queue?connectorId=${connector.id}`, { headers: ORIGIN })).ok()
	).toBe(true);

	await openPage(page, '/content');
	await expect(page.getByRole('heading', { level: 1, name: 'Content' })).toBeVisible();
	await page.getByLabel('Connector').selectOption({ label: name });
	await page.getByRole('button', { name: 'Apply' }).click();
	await expect(page).toHaveURL(new RegExp(`connectorId=${connector.id}`));
	const tabs = page.getByRole('navigation', { name: 'Search state' });
	await tabs.getByRole('link', { name: /^Missing/ }).click();
	await expect(page).toHaveURL(/status=missing/);
	await expect(tabs.getByRole('link', { name: /^Missing/ })).toHaveAttribute(
		'aria-current',
		'page'
	);

	// Every row is this connector's and wants its movie.
	const table = page.getByRole('table');
	const rows = table
		.getByRole('row')
		.filter({ has: page.getByRole('checkbox') })
		.filter({
			hasNot: page.getByRole('columnheader')
		});
	await expect(rows.first()).toBeVisible();
	expect(await rows.count()).toBeGreaterThanOrEqual(3);
	for (const text of await rows.allInnerTexts()) {
		expect(text).toContain(name);
		expect(text).toContain('1 missing');
	}

	const titles: string[] = [];
	for (let i = 0; i < 3; i++) {
		const link = rows.nth(i).getByRole('link');
		titles.push((await link.innerText()).trim());
		await rows.nth(i).getByRole('checkbox').check();
	}
	const bulk = page.getByRole('region', { name: 'Bulk actions' });
	await expect(bulk.getByText('3 rows selected.')).toBeVisible();
	await bulk.getByRole('button', { name: 'Queue search' }).click();
	const dialog = page.getByRole('alertdialog');
	await expect(dialog.getByRole('heading', { name: 'Queue a search of 3 rows?' })).toBeVisible();
	await dialog.getByRole('button', { name: 'Queue searches' }).click();
	await expect(toasts(page).getByText(/^Queued a search for 3 of 3 rows/)).toBeVisible({
		timeout: 30_000
	});

	// The three movies are queued now: the content page says so, and the queue lists them.
	await page.reload();
	await expect(table.getByText(/^Queued/)).toHaveCount(3);
	const queue = (await (
		await api.get(`/api/v1/queue?connectorId=${connector.id}&pageSize=100`)
	).json()) as { items: { label: string }[] };
	for (const title of titles) {
		expect(queue.items.some((item) => item.label.includes(title))).toBe(true);
	}
	await openPage(page, `/queue?connectorId=${connector.id}`);
	for (const title of titles) {
		await expect(page.getByText(title, { exact: false }).first()).toBeVisible();
	}

	await api.post('/api/v1/queue/resume', { headers: ORIGIN, data: { connectorId: connector.id } });
	expect((await api.delete(`/api/v1/connectors/${connector.id}`, { headers: ORIGIN })).ok()).toBe(
		true
	);
});

type SeriesDetail = {
	id: number;
	title: string;
	seasons: {
		episodes: {
			seasonNumber: number;
			episodeNumber: number | null;
			search: { state: string; lastSearchedAt: string | null } | null;
		}[];
	}[];
};

test("open a searched series: an episode's search state and the series' history", async ({
	page
}) => {
	test.setTimeout(120_000);
	await logIn(page);
	const api = page.request;
	const name = `History Sonarr ${Date.now()}`;
	const created = await api.post('/api/v1/connectors', {
		headers: ORIGIN,
		data: { type: 'sonarr', name, url: `${SIM}/sonarr`, apiKey: SONARR_KEY }
	});
	expect(created.status()).toBe(201);
	const connector = (await created.json()) as { id: number };
	await waitForJob(
		api,
		await jobOf(await api.post(`/api/v1/connectors/${connector.id}/sync`, { headers: ORIGIN }))
	);
	await waitForJob(
		api,
		await jobOf(
			await api.post(`/api/v1/connectors/${connector.id}/sweep`, {
				headers: ORIGIN,
				data: { type: 'gaps' }
			})
		)
	);
	// Dispatch until a search of this connector has finished (each pass polls the last one's).
	await expect
		.poll(
			async () => {
				await api.post('/api/v1/queue/dispatch', { headers: ORIGIN });
				const history = await api.get(
					`/api/v1/history?connectorId=${connector.id}&outcome=completed`
				);
				return ((await history.json()) as { total: number }).total;
			},
			{ timeout: 60_000, intervals: [500, 1000, 2000] }
		)
		.toBeGreaterThan(0);
	await api.post('/api/v1/queue/pause', { headers: ORIGIN, data: { connectorId: connector.id } });

	// A series whose episode was searched and now waits out its cooldown.
	const listing = (await (
		await api.get(`/api/v1/series?connectorId=${connector.id}&pageSize=500`)
	).json()) as { items: { id: number; wanted: number }[] };
	let found: { series: SeriesDetail; code: string } | null = null;
	for (const item of listing.items.filter((i) => i.wanted > 0)) {
		const series = (await (await api.get(`/api/v1/series/${item.id}`)).json()) as SeriesDetail;
		const episode = series.seasons
			.flatMap((s) => s.episodes)
			.find((e) => e.search?.state === 'cooldown' && e.search.lastSearchedAt !== null);
		if (episode) {
			const pad = (n: number | null) => String(n ?? 0).padStart(2, '0');
			found = { series, code: `S${pad(episode.seasonNumber)}E${pad(episode.episodeNumber)}` };
			break;
		}
	}
	expect(found, 'a series with an episode in cooldown').not.toBeNull();
	if (!found) return;

	await openPage(page, '/content');
	await page.getByLabel('Title').fill(found.series.title);
	await page.getByLabel('Connector').selectOption({ label: name });
	await page.getByRole('button', { name: 'Apply' }).click();
	// The filtered page, not the unfiltered one still shown while it loads (other connectors of the
	// suite mirror the same library, so the title alone matches several rows).
	await expect(page).toHaveURL(/connectorId=\d+/);
	await page.getByRole('link', { name: found.series.title, exact: true }).click();
	await expect(page.getByRole('heading', { level: 1, name: found.series.title })).toBeVisible();
	const row = page.getByRole('row').filter({ hasText: found.code });
	await expect(row.getByText('cooldown', { exact: true })).toBeVisible();
	await expect(row.getByText(/cooldown until/)).toBeVisible();
	await expect(row).toContainText('1 attempt');
	await expect(page.getByRole('meter').first()).toHaveAttribute('aria-valuenow', /\d+/);

	const history = page.getByRole('region', { name: 'History' });
	await expect(history.getByRole('listitem').first()).toBeVisible();
	await expect(history.getByText('completed', { exact: true }).first()).toBeVisible();
	const all = history.getByRole('link', { name: 'Every search in the history' });
	await all.click();
	await expect(page).toHaveURL(new RegExp(`/history\\?connectorId=${connector.id}&q=`));
	await expect(page.getByRole('table', { name: 'Searches' }).getByRole('row').nth(1)).toContainText(
		found.series.title
	);

	await api.post('/api/v1/queue/resume', { headers: ORIGIN, data: { connectorId: connector.id } });
	expect((await api.delete(`/api/v1/connectors/${connector.id}`, { headers: ORIGIN })).ok()).toBe(
		true
	);
});
