/**
 * Settings → Throttle profiles (issue 9, section 4): create a custom profile with an active
 * window (its validation messages on the way), assign it to a connector from the connector's
 * settings form, see it listed with that connector and its searches today / budget, and try to
 * delete it — refused while the connector uses it. Presets offer Copy, not Edit or Delete.
 *
 * Runs on the shared app and database of the e2e suite; names carry a per-run suffix so the spec
 * also runs alone or twice.
 */
import { expect, test } from '@playwright/test';
import { APP, SIM, SONARR_KEY, logIn, openPage, toasts } from './helpers';

test.describe.configure({ mode: 'serial' });

const suffix = Date.now().toString(36);
const PROFILE = `Night owl ${suffix}`;
const CONNECTOR = `Sonarr throttle ${suffix}`;

test.beforeEach(async ({ page }) => {
	await logIn(page);
});

test('a custom profile is created, assigned to a connector, listed with its usage and kept while in use', async ({
	page
}) => {
	const created = await page.request.post('/api/v1/connectors', {
		headers: { Origin: APP },
		data: { type: 'sonarr', name: CONNECTOR, url: `${SIM}/sonarr`, apiKey: SONARR_KEY }
	});
	expect(created.status()).toBe(201);
	const { id: connectorId } = (await created.json()) as { id: number };

	// The presets are read-only: Copy, no Edit or Delete.
	await openPage(page, '/settings/throttle');
	const moderate = page.getByRole('row', { name: 'Moderate', exact: true });
	await expect(moderate.getByText('Preset', { exact: true })).toBeVisible();
	await expect(moderate.getByText('Default', { exact: true })).toBeVisible();
	await expect(
		moderate.getByRole('link', { name: 'Copy throttle profile Moderate' })
	).toBeVisible();
	await expect(moderate.getByRole('link', { name: /^Edit/ })).toHaveCount(0);
	await expect(moderate.getByRole('button', { name: /^Delete/ })).toHaveCount(0);

	// Create, with validation messages first.
	await page.getByRole('link', { name: 'New profile' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'New throttle profile' })).toBeVisible();
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	await page.getByLabel('Name', { exact: true }).fill(PROFILE);
	await page.getByLabel('Commands per minute').fill('500');
	await page.getByLabel('Batch size').fill('4');
	await page.getByLabel('Daily search budget').fill('120');
	await page.getByRole('button', { name: 'Add window' }).click();
	await page.getByLabel('Window 1 start').fill('01:00');
	await page.getByLabel('Window 1 end').fill('01:00');
	await page.getByRole('button', { name: 'Create profile' }).click();
	await expect(page.getByText('Commands per minute must be at most 120')).toBeVisible();
	await expect(page.getByText(/Start and end must differ/)).toBeVisible();
	await page.getByLabel('Commands per minute').fill('3');
	await page.getByLabel('Window 1 end').fill('07:00');
	await page.getByRole('button', { name: 'Create profile' }).click();
	await expect(page).toHaveURL(/\/settings\/throttle$/);
	await expect(toasts(page).getByText(`Created the throttle profile “${PROFILE}”.`)).toBeVisible();
	const row = page.getByRole('row', { name: PROFILE, exact: true });
	await expect(row).toContainText('01:00–07:00');
	await expect(row).toContainText('None');

	// Assign it from the connector's settings form.
	await openPage(page, `/connectors/${connectorId}`);
	const settings = page.getByRole('region', { name: 'Settings' });
	await settings.getByLabel('Throttle profile').selectOption({ label: PROFILE });
	await settings.getByRole('button', { name: 'Save changes' }).click();
	await expect(toasts(page).getByText(`Saved the settings of “${CONNECTOR}”.`)).toBeVisible();
	await page.reload();
	await expect(settings.getByLabel('Throttle profile')).toHaveValue(/\d+/);
	await expect(settings.getByLabel('Throttle profile').locator('option:checked')).toHaveText(
		PROFILE
	);

	// Listed with the connector and its searches today / budget.
	await openPage(page, '/settings/throttle');
	await expect(row.getByRole('link', { name: CONNECTOR })).toBeVisible();
	await expect(row.getByRole('listitem').filter({ hasText: CONNECTOR })).toContainText('0 / 120');

	// Deleting it is refused while the connector uses it.
	await row.getByRole('button', { name: `Delete throttle profile ${PROFILE}` }).click();
	const dialog = page.getByRole('alertdialog');
	await expect(dialog).toContainText('cannot be deleted until they have another one');
	await dialog.getByRole('button', { name: 'Delete profile' }).click();
	await expect(
		toasts(page).getByText(new RegExp(`is used by the connector "${CONNECTOR}"`))
	).toBeVisible();
	await page.reload();
	await expect(page.getByRole('row', { name: PROFILE, exact: true })).toBeVisible();

	// Clean up for later specs: the connector goes, then the profile can go too.
	const removed = await page.request.delete(`/api/v1/connectors/${connectorId}`, {
		headers: { Origin: APP }
	});
	expect(removed.status()).toBe(204);
	await openPage(page, '/settings/throttle');
	await page
		.getByRole('row', { name: PROFILE })
		.getByRole('button', { name: /^Delete/ })
		.click();
	await page.getByRole('alertdialog').getByRole('button', { name: 'Delete profile' }).click();
	await expect(toasts(page).getByText(`Deleted the throttle profile “${PROFILE}”.`)).toBeVisible();
	await expect(page.getByRole('row', { name: PROFILE, exact: true })).toHaveCount(0);
});
