/**
 * The Schedules page (issue 10, Schedules §3): a sweep schedule built with the builder (daily at
 * 03:15) shows its description, its next five runs and its marks on the 7-day timeline; the
 * enable switch turns it off at once and for good; an invalid raw cron expression is refused on
 * the field, and a raw expression the builder can show goes back into the builder.
 *
 * Runs on the shared app and database of the e2e suite; names carry a per-run suffix so the spec
 * also runs alone or twice.
 */
import { expect, test } from '@playwright/test';
import { APP, SIM, SONARR_KEY, logIn, openPage, toasts } from './helpers';

test.describe.configure({ mode: 'serial' });

const suffix = Date.now().toString(36);
const CONNECTOR = `Sonarr schedules ${suffix}`;
let connectorId = 0;

test.beforeEach(async ({ page }) => {
	await logIn(page);
});

test('a schedule built with the builder shows its description, next runs and timeline marks, and switches off', async ({
	page
}) => {
	const created = await page.request.post('/api/v1/connectors', {
		headers: { Origin: APP },
		data: { type: 'sonarr', name: CONNECTOR, url: `${SIM}/sonarr`, apiKey: SONARR_KEY }
	});
	expect(created.status()).toBe(201);
	connectorId = ((await created.json()) as { id: number }).id;

	await openPage(page, '/schedules');
	await expect(page.getByRole('heading', { level: 1, name: 'Schedules' })).toBeVisible();
	await expect(page.getByRole('link', { name: 'Schedules' })).toHaveAttribute(
		'aria-current',
		'page'
	);
	// The connector's default sweeps are listed (gaps hourly, upgrades nightly).
	await expect(page.getByRole('row', { name: `${CONNECTOR} Gaps`, exact: true })).toBeVisible();

	await page.getByRole('button', { name: 'Create schedule' }).first().click();
	const dialog = page.getByRole('dialog', { name: 'New sweep schedule' });
	await expect(dialog).toBeVisible();
	await dialog.getByLabel('Connector').selectOption({ label: CONNECTOR });
	await dialog.getByLabel('Sweep type').selectOption('both');
	await dialog.getByLabel('Repeat').selectOption('daily');
	await dialog.getByLabel('Time', { exact: true }).fill('03:15');
	await expect(dialog.getByTestId('builder-cron')).toHaveText('15 3 * * *');
	await expect(dialog.getByTestId('cron-description')).toHaveText('At 03:15');
	const nextRuns = dialog.getByRole('list', { name: 'Next runs' }).getByRole('listitem');
	await expect(nextRuns).toHaveCount(5);
	for (const run of await nextRuns.all()) await expect(run).toContainText('03:15');

	await dialog.getByRole('button', { name: 'Create schedule' }).click();
	await expect(toasts(page).getByText('Created the sweep schedule.')).toBeVisible();
	await expect(dialog).toBeHidden();

	const row = page.getByRole('row', { name: `${CONNECTOR} Gaps and upgrades`, exact: true });
	await expect(row).toContainText('At 03:15');
	await expect(row).toContainText('15 3 * * *');
	await expect(row.locator('[data-slot="next-run"]')).toContainText('03:15');
	await expect(row).toContainText('Not run yet');

	// The timeline: one row for the connector, seven marks of this sweep type, each naming its time.
	const timelineRow = page.locator(
		`[data-testid="timeline-row"][data-connector-id="${connectorId}"]`
	);
	await expect(timelineRow).toContainText(CONNECTOR);
	const marks = timelineRow.locator('[data-testid="timeline-mark"][data-sweep-type="both"]');
	await expect(marks).toHaveCount(7);
	await expect(marks.first()).toHaveAttribute('title', /^Gaps and upgrades sweep, .*03:15$/);
	// The default hourly gaps sweep shows too (168 runs in 7 days).
	await expect(
		timelineRow.locator('[data-testid="timeline-mark"][data-sweep-type="gaps"]')
	).toHaveCount(168);

	// Switched off at once, still off after a reload, and gone from the timeline.
	const toggle = row.getByRole('switch', {
		name: `Enable the gaps and upgrades schedule of ${CONNECTOR}`
	});
	await expect(toggle).toHaveAttribute('aria-checked', 'true');
	await toggle.click();
	await expect(toggle).toHaveAttribute('aria-checked', 'false');
	await expect(row.getByText('Disabled', { exact: true })).toBeVisible();
	await expect(marks).toHaveCount(0);
	await openPage(page, '/schedules');
	await expect(toggle).toHaveAttribute('aria-checked', 'false');
	await expect(marks).toHaveCount(0);
});

test('an invalid raw cron expression is refused on the field, and one the builder can show goes back into it', async ({
	page
}) => {
	await openPage(page, '/schedules');
	const row = page.getByRole('row', { name: `${CONNECTOR} Gaps and upgrades`, exact: true });
	await row.getByRole('button', { name: /^Edit/ }).click();
	const dialog = page.getByRole('dialog');
	await expect(dialog.getByLabel('Repeat')).toHaveValue('daily');
	await expect(dialog.getByLabel('Time', { exact: true })).toHaveValue('03:15');

	// The raw field shows what the builder made.
	await dialog.getByLabel('Time', { exact: true }).fill('05:45');
	await expect(dialog.getByTestId('builder-cron')).toHaveText('45 5 * * *');
	await dialog.getByRole('button', { name: 'Cron expression' }).click();
	const raw = dialog.getByLabel('Cron expression');
	await expect(raw).toHaveValue('45 5 * * *');

	await raw.fill('61 * * * *');
	await expect(raw).toHaveAttribute('aria-invalid', 'true');
	await expect(dialog.locator('#cron-raw-error')).toContainText(/minute/i);
	await expect(dialog.getByTestId('cron-description')).toHaveCount(0);

	// Saving anyway is refused by the server on the same field; nothing changes.
	const [refused] = await Promise.all([
		page.waitForResponse(
			(r) => r.request().method() === 'PATCH' && r.url().includes('/api/v1/schedules/')
		),
		dialog.getByRole('button', { name: 'Save schedule' }).click()
	]);
	expect(refused.status()).toBe(400);
	expect(
		((await refused.json()) as { error: { fields: Record<string, string> } }).error.fields
	).toHaveProperty('cron');
	await expect(dialog.locator('#cron-raw-error')).toContainText(/minute/i);
	await expect(dialog).toBeVisible();

	// Weekdays at 04:00 reads back into the builder.
	await raw.fill('0 4 * * 1-5');
	await expect(dialog.locator('#cron-raw-error')).toHaveCount(0);
	await expect(dialog.getByTestId('cron-description')).toHaveText(
		'At 04:00, Monday through Friday'
	);
	await dialog.getByRole('button', { name: 'Builder' }).click();
	await expect(dialog.getByLabel('Repeat')).toHaveValue('weekly');
	await expect(dialog.getByLabel('Time', { exact: true })).toHaveValue('04:00');
	await expect(dialog.getByRole('checkbox', { name: 'Monday' })).toBeChecked();
	await expect(dialog.getByRole('checkbox', { name: 'Friday' })).toBeChecked();
	await expect(dialog.getByRole('checkbox', { name: 'Sunday' })).not.toBeChecked();
	await expect(dialog.getByTestId('builder-cron')).toHaveText('0 4 * * 1,2,3,4,5');

	// One it cannot show stays in the raw field, with a note.
	await dialog.getByRole('button', { name: 'Cron expression' }).click();
	await raw.fill('0 0 1 * *');
	await dialog.getByRole('button', { name: 'Builder' }).click();
	await expect(raw).toBeVisible();
	await expect(dialog.getByText(/The builder cannot show this expression/)).toBeVisible();

	await dialog.getByRole('button', { name: 'Cancel' }).click();
	await expect(row).toContainText('At 03:15');
});

test('Run now follows the sweep to its result; a refused toggle goes back with a toast; delete asks first', async ({
	page
}) => {
	await openPage(page, '/schedules');
	const gaps = page.getByRole('row', { name: `${CONNECTOR} Gaps`, exact: true });
	await gaps.getByRole('button', { name: `Run the gaps schedule of ${CONNECTOR} now` }).click();
	const progress = gaps.locator('[data-slot="job-progress"]');
	await expect(progress).toHaveAttribute('data-status', 'success');
	await expect(progress).toContainText(/Queued \d+ commands?/);
	await expect(gaps).not.toContainText('Not run yet');

	// The schedule disappears behind the page's back: the switch goes back and says why.
	const both = page.getByRole('row', { name: `${CONNECTOR} Gaps and upgrades`, exact: true });
	const id = await both.getAttribute('data-schedule-id');
	const removed = await page.request.delete(`/api/v1/schedules/${id}`, {
		headers: { Origin: APP }
	});
	expect(removed.status()).toBe(204);
	const toggle = both.getByRole('switch');
	await toggle.click();
	await expect(
		toasts(page).getByText(
			new RegExp(`^Could not enable the gaps and upgrades schedule of ${CONNECTOR}: `)
		)
	).toBeVisible();
	await expect(toggle).toHaveAttribute('aria-checked', 'false');

	// Delete asks first; Cancel keeps the schedule.
	await openPage(page, '/schedules');
	await expect(both).toHaveCount(0);
	const upgrades = page.getByRole('row', { name: `${CONNECTOR} Upgrades`, exact: true });
	const label = `the upgrades schedule of ${CONNECTOR}`;
	await upgrades.getByRole('button', { name: `Delete ${label}` }).click();
	const confirm = page.getByRole('alertdialog', { name: `Delete ${label}?` });
	await confirm.getByRole('button', { name: 'Cancel' }).click();
	await expect(confirm).toBeHidden();
	await expect(upgrades).toBeVisible();
	await upgrades.getByRole('button', { name: `Delete ${label}` }).click();
	await confirm.getByRole('button', { name: 'Delete schedule' }).click();
	await expect(toasts(page).getByText(`Deleted ${label}.`)).toBeVisible();
	await expect(upgrades).toHaveCount(0);
	await page.reload();
	await expect(page.getByRole('row', { name: `${CONNECTOR} Gaps`, exact: true })).toBeVisible();
	await expect(upgrades).toHaveCount(0);
});

test('a built-in job gets a new schedule from the builder, switches off and on, runs now, and cannot be deleted', async ({
	page
}) => {
	const before = await page.request.get('/api/v1/schedules/built-in/db.vacuum');
	expect(before.status()).toBe(200);
	const original = (await before.json()) as { cron: string; enabled: boolean };
	try {
		await openPage(page, '/schedules');
		const vacuum = page.locator('[data-testid="built-in-schedule-row"][data-job="db.vacuum"]');
		await expect(vacuum.getByRole('button', { name: /^Delete/ })).toHaveCount(0);
		await vacuum.getByRole('button', { name: /^Edit the schedule of/ }).click();
		const dialog = page.getByRole('dialog');
		await expect(dialog.getByLabel('Connector')).toHaveCount(0);
		await expect(dialog.getByLabel('Repeat')).toHaveValue('weekly');
		await dialog.getByLabel('Time', { exact: true }).fill('05:10');
		await dialog.getByRole('checkbox', { name: 'Saturday' }).click();
		await expect(dialog.getByTestId('builder-cron')).toHaveText('10 5 * * 0,6');
		await expect(dialog.getByTestId('cron-description')).toHaveText(
			'At 05:10, only on Sunday and Saturday'
		);
		await dialog.getByRole('button', { name: 'Save schedule' }).click();
		await expect(toasts(page).getByText(/^Saved the schedule of/)).toBeVisible();
		await expect(vacuum).toContainText('At 05:10, only on Sunday and Saturday');
		await expect(vacuum.locator('[data-slot="next-run"]')).toContainText('05:10');

		// Built-in jobs on the timeline when asked for: Saturdays and Sundays at 05:10.
		const jobRow = page.locator('[data-testid="timeline-job-row"][data-job="db.vacuum"]');
		await expect(jobRow).toHaveCount(0);
		await page.getByRole('checkbox', { name: 'Show built-in jobs' }).click();
		const jobMarks = jobRow.locator('[data-testid="timeline-job-mark"]');
		await expect(jobMarks).toHaveCount(2);
		await expect(jobMarks.first()).toHaveAttribute('title', /(Sat|Sun), .*05:10$/);

		const toggle = vacuum.getByRole('switch');
		await toggle.click();
		await expect(toggle).toHaveAttribute('aria-checked', 'false');
		await expect(vacuum.getByText('Disabled', { exact: true })).toBeVisible();
		await openPage(page, '/schedules');
		await expect(toggle).toHaveAttribute('aria-checked', 'false');
		await toggle.click();
		await expect(toggle).toHaveAttribute('aria-checked', 'true');
		await expect(vacuum.locator('[data-slot="next-run"]')).toContainText('05:10');

		// Run now: the health check runs and its result shows in the row.
		const health = page.locator('[data-testid="built-in-schedule-row"][data-job="health"]');
		await health.getByRole('button', { name: /^Run .* now$/ }).click();
		await expect(health.locator('[data-slot="job-progress"]')).toHaveAttribute(
			'data-status',
			/^(success|partial|failed)$/
		);
	} finally {
		const restored = await page.request.patch('/api/v1/schedules/built-in/db.vacuum', {
			headers: { Origin: APP },
			data: { cron: original.cron, enabled: original.enabled }
		});
		expect(restored.status()).toBe(200);
	}
});
