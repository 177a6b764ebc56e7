/**
 * The series page's item actions in the browser (issue 9 §10): a Sonarr connector of the
 * simulator is added and synced over the API, then its series page is opened, the series is
 * boosted, searched now (toast, and the manual batch heads the queue page), and its search state
 * cleared after a confirmation. Unknown series and movies get the 404 page.
 *
 * Adds its own connector under its own name, so it runs alone or after the other specs.
 */
import { expect, test } from '@playwright/test';
import { APP, SIM, SONARR_KEY, logIn, openPage, toasts, waitForJob } from './helpers';

const ORIGIN = { Origin: APP };

test.describe.configure({ mode: 'serial' });

test('boost, search now and clear search state from a series page', async ({ page }) => {
	test.setTimeout(90_000);
	await logIn(page);
	const api = page.request;
	const name = `Items Sonarr ${Date.now()}`;
	const created = await api.post('/api/v1/connectors', {
		headers: ORIGIN,
		data: { type: 'sonarr', name, url: `${SIM}/sonarr`, apiKey: SONARR_KEY }
	});
	expect(created.status()).toBe(201);
	const connector = (await created.json()) as { id: number };
	const sync = await api.post(`/api/v1/connectors/${connector.id}/sync`, { headers: ORIGIN });
	expect(sync.status()).toBe(202);
	await waitForJob(api, ((await sync.json()) as { job: { id: number } }).job.id);
	const sweep = await api.post(`/api/v1/connectors/${connector.id}/sweep`, {
		headers: ORIGIN,
		data: { type: 'gaps' }
	});
	expect(sweep.status()).toBe(202);
	await waitForJob(api, ((await sweep.json()) as { job: { id: number } }).job.id);
	// Nothing is sent while the test looks at the queue.
	expect(
		(
			await api.post('/api/v1/queue/pause', {
				headers: ORIGIN,
				data: { connectorId: connector.id }
			})
		).status()
	).toBe(200);

	const listing = (await (
		await api.get(`/api/v1/series?connectorId=${connector.id}&pageSize=500`)
	).json()) as { items: { id: number; title: string; wanted: number }[] };
	const target = [...listing.items].sort((a, b) => b.wanted - a.wanted)[0];
	expect(target?.wanted).toBeGreaterThan(0);
	if (!target) return;

	await openPage(page, `/series/${target.id}`);
	await expect(page.getByRole('heading', { level: 1, name: target.title })).toBeVisible();
	await expect(page.getByRole('link', { name })).toBeVisible();
	await expect(page.getByRole('heading', { name: /^Season \d+|Specials$/ }).first()).toBeVisible();

	// Boost: validation in the browser first, then a toast and the value shown.
	const boost = page.getByLabel('Priority boost (points)');
	await boost.fill('0');
	await page.getByRole('button', { name: 'Set boost' }).click();
	await expect(page.getByText('A boost of 0 does nothing')).toBeVisible();
	await boost.fill('750');
	await page.getByRole('button', { name: 'Set boost' }).click();
	await expect(toasts(page).getByText(/Priority boost of 750 points set/)).toBeVisible();
	await expect(page.getByText('Now +750.')).toBeVisible();
	const overrides = (await (
		await api.get(`/api/v1/priority-overrides?connectorId=${connector.id}`)
	).json()) as { items: { target: string; id: number; delta: number }[] };
	expect(overrides.items).toEqual([
		expect.objectContaining({ target: 'series', id: target.id, delta: 750 })
	]);

	// Search now: a toast, the episodes queued, and the manual batch at the head of the queue.
	await page.getByRole('button', { name: 'Search now' }).click();
	await expect(toasts(page).getByText(/Queued \d+ episodes? in \d+ searche?s?/)).toBeVisible();
	await expect(page.getByText('queued', { exact: true }).first()).toBeVisible();
	const queue = (await (
		await api.get(`/api/v1/queue?connectorId=${connector.id}&pageSize=1`)
	).json()) as { items: { label: string }[] };
	expect(queue.items[0]?.label).toContain(target.title);
	expect(queue.items[0]?.label).toContain('search now');
	await openPage(page, '/queue');
	await expect(page.getByText(`${target.title}`, { exact: false }).first()).toBeVisible();
	await expect(page.getByText(/search now/).first()).toBeVisible();

	// A second search now is refused with the reason.
	await openPage(page, `/series/${target.id}`);
	await page.getByRole('button', { name: 'Search now' }).click();
	await expect(toasts(page).getByText(/already queued for a search now/)).toBeVisible();

	// Clear search state, after a confirmation: the episodes are pending again.
	await page.getByRole('button', { name: 'Clear search state' }).click();
	const dialog = page.getByRole('alertdialog');
	await expect(dialog.getByText(/Attempts, failures and cooldowns are forgotten/)).toBeVisible();
	await dialog.getByRole('button', { name: 'Clear search state' }).click();
	await expect(toasts(page).getByText(/Search state of \d+ items? of .* cleared/)).toBeVisible();
	await expect(page.getByText('queued', { exact: true })).toHaveCount(0);
	await expect(page.getByText('pending', { exact: true }).first()).toBeVisible();

	// Clear the boost.
	await page.getByRole('button', { name: 'Clear boost' }).click();
	await expect(toasts(page).getByText(/Priority boost of .* cleared/)).toBeVisible();
	await expect(page.getByText('No boost set.')).toBeVisible();

	await api.post('/api/v1/queue/resume', { headers: ORIGIN, data: { connectorId: connector.id } });
	expect((await api.delete(`/api/v1/connectors/${connector.id}`, { headers: ORIGIN })).ok()).toBe(
		true
	);
});

test('unknown series and movies get the 404 page', async ({ page }) => {
	await logIn(page);
	for (const path of ['/series/999999', '/movies/999999', '/series/abc']) {
		const response = await page.goto(path);
		expect(response?.status(), path).toBe(404);
		await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
	}
});
