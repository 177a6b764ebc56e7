/**
 * A sync is a background job the page follows: on a library large enough to take several
 * seconds, "Sync now" answers at once, the progress bar moves with the phase and counts, and the
 * run's summary appears when it ends — with no error and no request held open meanwhile.
 */
import { expect, test } from '@playwright/test';
import { APP, SIM, SONARR_KEY, logIn, openPage } from './helpers';

/** Series in the simulator's `/sonarr-large` instance (playwright.config.ts, SIM_LARGE_SERIES). */
const LARGE_SERIES = Number(process.env.E2E_LARGE_SERIES || 3000);

test('Sync now on a large library shows the progress moving, then the summary', async ({
	page
}) => {
	test.setTimeout(120_000);
	await logIn(page);
	const created = await page.request.post('/api/v1/connectors', {
		headers: { origin: APP },
		data: { type: 'sonarr', name: 'Large Sonarr', url: `${SIM}/sonarr-large`, apiKey: SONARR_KEY }
	});
	expect(created.status()).toBe(201);
	const { id } = (await created.json()) as { id: number };

	await openPage(page, `/connectors/${id}`);
	const started = Date.now();
	await page.getByRole('button', { name: 'Sync now: Large Sonarr' }).click();
	await expect(page.getByRole('status').filter({ hasText: /sync started/i })).toBeVisible();
	// The action answered at once: the sync goes on in the background.
	expect(Date.now() - started).toBeLessThan(5_000);

	const bar = page.getByRole('progressbar', { name: 'Sync progress: Large Sonarr' });
	await expect(bar).toBeVisible();
	await expect(page.getByText(/^Reading episodes: [\d,]+ of [\d,]+ series$/)).toBeVisible({
		timeout: 30_000
	});
	// The bar moves: several distinct, growing values while it runs.
	const seen: number[] = [];
	await expect
		.poll(
			async () => {
				const now = Number((await bar.getAttribute('aria-valuenow').catch(() => null)) ?? NaN);
				if (Number.isFinite(now) && now !== seen[seen.length - 1]) seen.push(now);
				return seen.length;
			},
			{ timeout: 60_000, intervals: [250] }
		)
		.toBeGreaterThanOrEqual(3);
	expect([...seen].sort((a, b) => a - b)).toEqual(seen);

	const progress = page.locator('[data-slot="sync-progress"]');
	await expect(progress.locator('[data-slot="job-progress"][data-status="success"]')).toBeVisible({
		timeout: 90_000
	});
	await expect(
		progress.getByText(
			new RegExp(`^Full sync: ${LARGE_SERIES.toLocaleString('en')} series, [\\d,]+ episodes in`)
		)
	).toBeVisible();
	await expect(progress.getByRole('alert')).toHaveCount(0);
	// The connector's numbers were reloaded when the run ended.
	await expect(page.getByText('Last sync run')).toBeVisible();
});
