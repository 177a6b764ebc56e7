/**
 * Analytics (issue 11 "Done when"): open /analytics, change the range with the picker's presets
 * and its custom form (the range lands in the address), and download a CSV whose header row is the
 * table's and whose rows are the API's numbers for that range. Rolls up through the scheduled job's "run now" so the charts have data; adds and syncs
 * a Sonarr of the simulator when no connector exists yet, so it also runs alone.
 */
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { APP, SIM, SONARR_KEY, jobOf, logIn, openPage, waitForJob } from './helpers';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
	const page = await browser.newPage();
	await logIn(page);
	const api = page.request;
	const jobStatus = async (id: number) =>
		((await (await api.get(`/api/v1/jobs/${id}`)).json()) as { status: string }).status;
	const list = (await (await api.get('/api/v1/connectors')).json()) as unknown[];
	if (list.length === 0) {
		const created = await api.post('/api/v1/connectors', {
			headers: { Origin: APP },
			data: { type: 'sonarr', name: 'Analytics Sonarr', url: `${SIM}/sonarr`, apiKey: SONARR_KEY }
		});
		expect(created.status()).toBe(201);
		const { id } = (await created.json()) as { id: number };
		const sync = await api.post(`/api/v1/connectors/${id}/sync`, { headers: { Origin: APP } });
		expect(sync.status()).toBe(202);
		const job = ((await sync.json()) as { job: { id: number } }).job.id;
		await expect.poll(() => jobStatus(job), { timeout: 60_000 }).toBe('success');
	}
	// Searches sent today, so the search-volume numbers are not all zero (also when run alone).
	const [first] = (await (await api.get('/api/v1/connectors')).json()) as { id: number }[];
	const sweep = await api.post(`/api/v1/connectors/${first!.id}/sweep`, {
		headers: { Origin: APP }
	});
	expect(sweep.status()).toBe(202);
	await waitForJob(api, await jobOf(sweep));
	expect((await api.post('/api/v1/queue/dispatch', { headers: { Origin: APP } })).status()).toBe(
		200
	);
	const run = await api.post('/api/v1/schedules/built-in/analytics.rollup/run', {
		headers: { Origin: APP }
	});
	expect(run.status()).toBe(202);
	const { run: started } = (await run.json()) as { run: { id: number } };
	await expect.poll(() => jobStatus(started.id), { timeout: 30_000 }).toBe('success');
	await page.close();
});

test('analytics: change the range and download a CSV of the numbers shown', async ({ page }) => {
	await logIn(page);
	await openPage(page, '/analytics');
	await expect(page.getByRole('heading', { level: 1, name: 'Analytics' })).toBeVisible();
	await expect(page.getByRole('heading', { name: 'Search volume' })).toBeVisible();
	await expect(page.getByRole('heading', { name: 'Quality distribution' })).toBeVisible();

	// The default range is the last 30 days; the 7-day preset changes it and the address.
	const presets = page.getByRole('group', { name: 'Date range' });
	const last30 = presets.getByRole('radio', { name: 'Last 30 days' });
	await expect(last30).toHaveAttribute('aria-checked', 'true');
	await presets.getByRole('radio', { name: 'Last 7 days' }).click();
	await expect(page).toHaveURL(/[?&]from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}/);
	const url = new URL(page.url());
	const to = url.searchParams.get('to')!;
	const from = url.searchParams.get('from')!;
	expect((Date.parse(to) - Date.parse(from)) / 86_400_000).toBe(6);
	await expect(presets.getByRole('radio', { name: 'Last 7 days' })).toHaveAttribute(
		'aria-checked',
		'true'
	);

	// A custom range, typed into the picker's form with the keyboard.
	const customFrom = new Date(Date.parse(to) - 13 * 86_400_000).toISOString().slice(0, 10);
	await page.getByRole('button', { name: /^Custom range/ }).click();
	const form = page.getByRole('form', { name: 'Custom range' });
	await form.getByLabel('From').fill(customFrom);
	await form.getByLabel('To').fill(to);
	await form.getByRole('button', { name: 'Apply' }).click();
	await expect(page).toHaveURL(new RegExp(`from=${customFrom}&to=${to}`));
	await expect(presets.getByRole('radio', { checked: true })).toHaveCount(0);

	// The daily CSV of that range: an attachment whose first line is the header row.
	const download = page.waitForEvent('download');
	await page.getByRole('link', { name: 'Download search volume as CSV' }).click();
	const file = await download;
	expect(file.suggestedFilename()).toBe(
		`comradarr-analytics-search-volume-${customFrom}-to-${to}.csv`
	);
	const text = await readFile((await file.path())!, 'utf8');
	const [header, ...rows] = text.split('\r\n');
	expect(header).toBe('day,searches_sent,items_searched,searches_finished,grabs,success_rate');
	expect(rows.at(-1)).toBe('');
	// Its rows are the view's numbers: one per rolled-up day of the range, as GET /api/v1/analytics
	// has them.
	const view = (await (
		await page.request.get(`/api/v1/analytics?from=${customFrom}&to=${to}`)
	).json()) as {
		series: {
			day: string;
			searchesSent: number;
			itemsSearched: number;
			searchesFinished: number;
			grabs: number;
			successRate: number | null;
		}[];
	};
	expect(view.series.length).toBeGreaterThan(0);
	expect(view.series.some((d) => d.searchesSent > 0 || d.itemsSearched > 0)).toBe(true);
	expect(rows.slice(0, -1)).toEqual(
		view.series.map((d) =>
			[d.day, d.searchesSent, d.itemsSearched, d.searchesFinished, d.grabs, d.successRate ?? '']
				.map(String)
				.join(',')
		)
	);
});
