/**
 * The sweep preview (issue 9 item 8): on /queue/preview a user picks a connector and sees the
 * commands the next sweep and dispatch would send, with the rule that chose each, and which the
 * throttle lets out now — and the preview writes nothing: the connector's queue is still empty.
 *
 * Runs on the shared app and database (files in name order); it adds its own connector, so it
 * also runs alone.
 */
import { expect, test } from '@playwright/test';
import { APP, SIM, SONARR_KEY, logIn, openPage } from './helpers';

const NAME = 'Preview Sonarr';

test('previewing a sweep shows its commands with their rules and leaves the queue empty', async ({
	page
}) => {
	test.setTimeout(90_000);
	await logIn(page);
	const list = (await (await page.request.get('/api/v1/connectors')).json()) as {
		id: number;
		name: string;
	}[];
	let id = list.find((c) => c.name === NAME)?.id;
	if (id === undefined) {
		const created = await page.request.post('/api/v1/connectors', {
			headers: { origin: APP },
			data: { type: 'sonarr', name: NAME, url: `${SIM}/sonarr`, apiKey: SONARR_KEY }
		});
		expect(created.status()).toBe(201);
		id = ((await created.json()) as { id: number }).id;
	}
	const sync = await page.request.post(`/api/v1/connectors/${id}/sync`, {
		headers: { origin: APP },
		data: { mode: 'full' }
	});
	expect(sync.status()).toBe(202);
	const { job } = (await sync.json()) as { job: { id: number } };
	await expect
		.poll(
			async () => {
				const run = (await (await page.request.get(`/api/v1/jobs/${job.id}`)).json()) as {
					status?: string;
					state?: string;
				};
				return run.status ?? run.state;
			},
			{ timeout: 60_000, intervals: [250] }
		)
		.toBe('success');

	await openPage(page, '/queue/preview');
	await expect(page.getByRole('heading', { level: 1, name: 'Sweep preview' })).toBeVisible();
	await expect(page.getByText('Choose a connector', { exact: true })).toBeVisible();
	await page.getByLabel('Connector').selectOption({ label: `${NAME} (sonarr)` });
	await expect(page).toHaveURL(new RegExp(`/queue/preview\\?connectorId=${id}$`));

	const rows = page.getByTestId('preview-command');
	await expect(rows.first()).toBeVisible({ timeout: 30_000 });
	expect(await rows.count()).toBeGreaterThan(5);
	// Each command names the rule that chose its shape; a fully aired, mostly missing season is a pack.
	await expect(
		page
			.getByTestId('preview-rule')
			.filter({ hasText: /^season pack: fully aired, \d+ of \d+ missing/ })
			.first()
	).toBeVisible();
	await expect(
		page
			.getByTestId('preview-rule')
			.filter({ hasText: /^episodes: / })
			.first()
	).toBeVisible();
	// Moderate lets 5 commands out per window but keeps at most 2 in flight; the rest wait.
	await expect(page.getByTestId('preview-send-now')).toContainText('2 commands');
	await expect(rows.nth(0)).toContainText('Sent now');
	await expect(rows.nth(2)).toContainText('Waits: commands still running');
	// A command's items are listed on expanding it.
	await rows.first().locator('summary').click();
	await expect(rows.first().locator('li').first()).toBeVisible();

	// Nothing was written: the connector's queue is empty.
	const queue = (await (await page.request.get(`/api/v1/queue?connectorId=${id}`)).json()) as {
		total: number;
	};
	expect(queue.total).toBe(0);
	await openPage(page, `/queue?connectorId=${id}`);
	await expect(page.getByText(`Nothing pending for ${NAME}`)).toBeVisible();
});
