/**
 * The Queue and History pages as a user drives them, against the built app, the database and the
 * simulator: a Sonarr connector is synced and swept; the queue is paused and resumed, a batch is
 * moved to the top and then removed; searches are dispatched until some finish; the history is
 * filtered by outcome and connector (the address keeps the filters) and exported as CSV.
 */
import { readFile } from 'node:fs/promises';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { APP, SIM, SONARR_KEY, logIn, openPage, toasts, waitForJob } from './helpers';

test.describe.configure({ mode: 'serial' });

const ORIGIN = { Origin: APP };

/** A new Sonarr connector on the simulator, synced and swept (gaps) through the API. */
async function sweptConnector(api: APIRequestContext, name: string): Promise<number> {
	const created = await api.post('/api/v1/connectors', {
		headers: ORIGIN,
		data: { type: 'sonarr', name, url: `${SIM}/sonarr`, apiKey: SONARR_KEY }
	});
	expect(created.status()).toBe(201);
	const { id } = (await created.json()) as { id: number };
	const sync = await api.post(`/api/v1/connectors/${id}/sync`, { headers: ORIGIN });
	await waitForJob(api, ((await sync.json()) as { job: { id: number } }).job.id);
	const sweep = await api.post(`/api/v1/connectors/${id}/sweep`, {
		headers: ORIGIN,
		data: { type: 'gaps' }
	});
	expect(sweep.status()).toBe(202);
	await waitForJob(api, ((await sweep.json()) as { job: { id: number } }).job.id);
	return id;
}

const rows = (page: Page) => page.getByTestId('pending-batch');

test('pause and resume the queue, move a batch to the top, remove it, filter and export the history', async ({
	page
}) => {
	await logIn(page);
	const name = `Queue Sonarr ${Date.now()}`;
	const connectorId = await sweptConnector(page.request, name);

	await openPage(page, `/queue?connectorId=${connectorId}`);
	await expect(page.getByRole('heading', { name: 'Pending' })).toBeVisible();
	await expect(rows(page).first()).toBeVisible();
	expect(await rows(page).count()).toBeGreaterThan(2);
	await expect(page.getByTestId('pending-total')).toContainText(`for ${name}`);
	await expect(page.getByRole('link', { name: 'Preview next sweep' })).toHaveAttribute(
		'href',
		/\/queue\/preview$/
	);

	// Pause the whole queue, then resume it.
	await page.getByRole('button', { name: 'Pause queue' }).click();
	await expect(page.getByTestId('queue-paused')).toContainText('Paused for every connector');
	await expect(toasts(page)).toContainText('Queue paused for every connector.');
	await expect(rows(page).first()).toContainText('Paused');
	await page.getByRole('button', { name: 'Resume queue' }).click();
	await expect(page.getByTestId('queue-paused')).toHaveCount(0);
	await expect(page.getByRole('button', { name: 'Pause queue' })).toBeVisible();

	// The batch last on the page moves to the top and is marked manual.
	const last = rows(page).last();
	const lastId = await last.getAttribute('data-batch-id');
	expect(lastId).not.toBeNull();
	expect(await rows(page).first().getAttribute('data-batch-id')).not.toBe(lastId);
	await last.getByRole('button', { name: /^Move to top: / }).click();
	await expect(rows(page).first()).toHaveAttribute('data-batch-id', lastId!);
	await expect(rows(page).first()).toContainText('manual');
	await expect(toasts(page)).toContainText('Moved the batch to the top of the queue.');

	// Its score expands to the contributions behind it.
	const moved = page.locator(`[data-batch-id="${lastId}"]`);
	await moved.getByTestId('score-details').locator('summary').click();
	await expect(moved).toContainText('Points per query');
	await expect(moved).toContainText('Never searched');

	// A priority typed in by hand: the batch now last goes above the one moved to the top.
	const typed = rows(page).last();
	const typedId = await typed.getAttribute('data-batch-id');
	await typed.getByRole('spinbutton', { name: /^Priority: / }).fill('999999');
	await typed.getByRole('button', { name: 'Set' }).click();
	await expect(toasts(page)).toContainText('Priority set to 999,999.');
	await expect(rows(page).first()).toHaveAttribute('data-batch-id', typedId!);
	await expect(rows(page).nth(1)).toHaveAttribute('data-batch-id', lastId!);

	// Remove the one moved to the top: gone from the queue.
	const pendingTotal = async () =>
		Number(
			(await page.getByTestId('pending-total').textContent())
				?.match(/^[\d,]+/)?.[0]
				.replace(/,/g, '')
		);
	const before = await pendingTotal();
	await moved.getByRole('button', { name: /^Remove: / }).click();
	await expect(toasts(page)).toContainText('Removed the batch');
	await expect(page.locator(`[data-batch-id="${lastId}"]`)).toHaveCount(0);
	await expect.poll(pendingTotal).toBe(before - 1);

	// Dispatch until some searches have finished (the simulator completes commands quickly; each
	// pass also polls the commands sent by the previous one).
	await expect
		.poll(
			async () => {
				await page.getByRole('button', { name: 'Dispatch now' }).click();
				await expect(page.getByRole('button', { name: 'Dispatch now' })).toBeEnabled();
				const response = await page.request.get(
					`/api/v1/history?connectorId=${connectorId}&outcome=completed`
				);
				return ((await response.json()) as { total: number }).total;
			},
			{ timeout: 45_000, intervals: [500, 1000, 2000] }
		)
		.toBeGreaterThan(0);

	// The history, filtered by connector: only its rows; the filter lives in the address.
	await openPage(page, '/history');
	await page.getByLabel('Connector').selectOption({ label: name });
	await page.getByRole('button', { name: 'Apply filters' }).click();
	await expect(page).toHaveURL(new RegExp(`connectorId=${connectorId}`));
	const table = page.getByRole('table', { name: 'Searches' });
	await expect(table.getByRole('row').nth(1)).toContainText(name);
	const total = await page.getByTestId('history-total').textContent();

	// Narrowed to failed searches: none for this connector; back to completed ones: rows again.
	await page.getByLabel('Outcome').selectOption('failed');
	await page.getByRole('button', { name: 'Apply filters' }).click();
	await expect(page).toHaveURL(/outcome=failed/);
	await expect(page.getByText('No search matches these filters')).toBeVisible();
	await page.reload();
	await expect(page.getByText('No search matches these filters')).toBeVisible();
	await page.getByLabel('Outcome').selectOption('completed');
	await page.getByRole('button', { name: 'Apply filters' }).click();
	await expect(page).toHaveURL(/outcome=completed/);
	await expect(table.getByTestId('history-outcome').first()).toHaveText('Completed');
	for (const cell of await table.getByTestId('history-outcome').all()) {
		await expect(cell).toHaveText('Completed');
	}
	expect(await page.getByTestId('history-total').textContent()).toMatch(/match$/);
	expect(total).toMatch(/search/);

	// The CSV export carries the same filters: this connector's completed searches only.
	const exportLink = page.getByRole('link', { name: 'Export CSV' });
	await expect(exportLink).toHaveAttribute(
		'href',
		new RegExp(`/api/v1/history\\.csv\\?connectorId=${connectorId}&outcome=completed$`)
	);
	const [download] = await Promise.all([page.waitForEvent('download'), exportLink.click()]);
	expect(download.suggestedFilename()).toMatch(/^comradarr-history-\d{4}-\d{2}-\d{2}\.csv$/);
	const csv = await readFile((await download.path())!, 'utf8');
	const lines = csv.trim().split('\r\n');
	expect(lines[0]).toMatch(/^id,finishedAt,sentAt,connectorId,connectorName,/);
	expect(lines.length).toBeGreaterThan(1);
	for (const line of lines.slice(1)) {
		expect(line).toContain(`,${connectorId},${name},`);
		expect(line).toContain(',completed,');
	}
});
