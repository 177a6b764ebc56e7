/**
 * Settings → Notifications (issue 10, Notifications §9 and the Playwright line of "Done when"):
 * add an ntfy channel pointing at a local receiver (validation messages on the way), send a test
 * notification, see the receiver get ntfy's JSON publish (https://docs.ntfy.sh/publish/#publish-as-json)
 * with the token as a Bearer header, see "sent" inline, the delivery in the log and the channel's
 * last delivery in the list; the stored token is never shown; delete with confirmation.
 *
 * Runs on the shared app and database of the e2e suite; names carry a per-run suffix so the spec
 * also runs alone or twice.
 */
import { expect, test } from '@playwright/test';
import { startHttpReceiver, type HttpReceiver } from '../helpers/receivers';
import { logIn, openPage, toasts } from './helpers';

test.describe.configure({ mode: 'serial' });

const suffix = Date.now().toString(36);
const CHANNEL = `Phone ${suffix}`;
const TOKEN = `tk_e2e_${suffix}_secret`;

let receiver: HttpReceiver;

test.beforeAll(() => {
	receiver = startHttpReceiver();
});
test.afterAll(async () => {
	await receiver.close();
});

test.beforeEach(async ({ page }) => {
	await logIn(page);
});

test('an ntfy channel is added, sends a test notification to a local server, and the delivery is logged', async ({
	page
}) => {
	await openPage(page, '/settings/notifications');
	await expect(page.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
	await expect(page.getByLabel('Send notifications')).toBeVisible();

	await page.getByRole('link', { name: 'Add channel' }).first().click();
	await expect(
		page.getByRole('heading', { level: 1, name: 'New notification channel' })
	).toBeVisible();
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	await expect(page.getByLabel('Type')).toHaveValue('ntfy');

	// Validation messages first: a bad URL and topic, a quiet-hours window of no length.
	await page.getByLabel('Name', { exact: true }).fill(CHANNEL);
	await page.getByLabel('Server URL').fill('ftp://nowhere');
	await page.getByLabel('Topic').fill('not a topic');
	await page.getByRole('switch', { name: 'Hold messages during quiet hours' }).click();
	await page.getByLabel('Quiet from').fill('22:00');
	await page.getByLabel('Quiet until').fill('22:00');
	await page.getByRole('button', { name: 'Add channel' }).click();
	await expect(page.getByText('Server URL must be an http:// or https:// URL')).toBeVisible();
	await expect(page.getByText(/Topic: letters, digits/)).toBeVisible();
	await expect(page.getByText('Start and end must differ')).toBeVisible();

	await page.getByLabel('Server URL').fill(`${receiver.url}/ntfy`);
	await page.getByLabel('Topic').fill('comradarr-e2e');
	await page.getByLabel('Access token', { exact: true }).fill(TOKEN);
	await page.getByLabel('Priority').selectOption('4');
	await page.getByLabel('Tags').fill('tv, e2e');
	await page.getByLabel('Quiet until').fill('07:00');
	// The live preview renders a template as it is typed.
	await page.getByLabel('Title template').fill('Got {content_title}');
	await expect(page.getByTestId('template-preview')).toContainText('Got ');
	await page.getByLabel('Title template').fill('');
	await page.getByRole('button', { name: 'Add channel' }).click();

	// Created: the channel's page, the token stored but never shown.
	await expect(page.getByRole('heading', { level: 1, name: CHANNEL })).toBeVisible();
	await expect(
		toasts(page).getByText(`Added the notification channel “${CHANNEL}”.`)
	).toBeVisible();
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	await expect(page.getByLabel('Access token', { exact: true })).toHaveValue('');
	await expect(page.getByLabel('Access token', { exact: true })).toHaveAttribute(
		'placeholder',
		/leave empty to keep/
	);
	expect(await page.content()).not.toContain(TOKEN);

	// Send a test notification: the receiver gets the exact ntfy JSON publish.
	receiver.reset();
	await page.getByRole('button', { name: 'Send test notification' }).click();
	await expect(page.getByTestId('test-result')).toContainText('Test notification sent');
	await expect(page.getByTestId('test-result')).toContainText('200');
	expect(receiver.requests).toHaveLength(1);
	const [publish] = receiver.requests;
	expect(publish!.method).toBe('POST');
	expect(publish!.path).toBe('/ntfy/');
	expect(publish!.headers['content-type']).toMatch(/^application\/json/);
	expect(publish!.headers.authorization).toBe(`Bearer ${TOKEN}`);
	expect(publish!.json).toEqual({
		topic: 'comradarr-e2e',
		title: 'Test notification from Comradarr',
		message: `If you can read this, the channel “${CHANNEL}” works.`,
		priority: 4,
		tags: ['information_source', 'tv', 'e2e']
	});

	// A failing server is shown inline too, with its answer.
	receiver.setDefault({ status: 500, body: { code: 50001, http: 500, error: 'broken' } });
	await page.getByRole('button', { name: 'Send test notification' }).click();
	await expect(page.getByTestId('test-result')).toContainText('Test notification failed');
	await expect(page.getByTestId('test-result')).toContainText('500');
	receiver.setDefault({});

	// Editing: the stored token cannot follow another server unless typed again… (on a fresh load:
	// the test send refreshes the page's data, which would reset a field filled meanwhile)
	await openPage(page, page.url());
	await page.getByLabel('Server URL').fill('http://127.0.0.2:9/ntfy');
	await page.getByRole('button', { name: 'Save channel' }).click();
	await expect(page.getByText(/Enter the access token again/)).toBeVisible();
	// …and an edit that leaves it empty keeps it.
	await page.getByLabel('Server URL').fill(`${receiver.url}/ntfy`);
	await page.getByLabel('Topic').fill('comradarr-e2e-2');
	await page.getByRole('button', { name: 'Save channel' }).click();
	await expect(
		toasts(page).getByText(`Saved the notification channel “${CHANNEL}”.`)
	).toBeVisible();
	receiver.reset();
	await page.getByRole('button', { name: 'Send test notification' }).click();
	await expect(page.getByTestId('test-result')).toContainText('Test notification sent');
	expect(receiver.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
	expect(receiver.requests[0]!.json).toMatchObject({ topic: 'comradarr-e2e-2' });

	// The list shows its last delivery; the log both attempts, filterable.
	await openPage(page, '/settings/notifications');
	const row = page.getByRole('row', { name: CHANNEL, exact: true });
	await expect(row.getByText('ntfy', { exact: true })).toBeVisible();
	await expect(row.getByText('Sent', { exact: true })).toBeVisible();
	await expect(row.getByRole('switch', { name: `Channel ${CHANNEL} enabled` })).toBeChecked();
	await page.getByLabel('Channel', { exact: true }).selectOption({ label: CHANNEL });
	await page.getByRole('button', { name: 'Filter' }).click();
	await expect(page).toHaveURL(/channel=\d+/);
	const log = page.getByRole('table', { name: 'Delivery log' });
	const rows = log.getByTestId('delivery-row');
	await expect(rows).toHaveCount(3);
	await expect(rows.nth(0)).toContainText('Sent');
	await expect(rows.nth(1)).toContainText('Failed');
	await expect(rows.nth(1)).toContainText('500');
	await expect(rows.nth(2)).toContainText('Sent');
	await expect(rows.nth(2)).toContainText('Test');
	await page.getByLabel('Status').selectOption('failed');
	await page.getByRole('button', { name: 'Filter' }).click();
	await expect(page).toHaveURL(/status=failed/);
	await expect(rows).toHaveCount(1);
	await expect(rows.first()).toContainText('500');
	expect(await page.content()).not.toContain(TOKEN);

	// Turn it off from the list.
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	await row.getByRole('switch', { name: `Channel ${CHANNEL} enabled` }).click();
	await expect(toasts(page).getByText(`“${CHANNEL}” is off.`)).toBeVisible();
	await expect(row.getByRole('switch', { name: `Channel ${CHANNEL} enabled` })).not.toBeChecked();

	// An optional stored secret can be removed: after the save the token is no longer stored.
	await row.getByRole('link', { name: CHANNEL }).click();
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	await page.getByRole('checkbox', { name: 'Remove the stored access token' }).click();
	await expect(page.getByLabel('Access token', { exact: true })).toBeDisabled();
	await expect(page.getByText('Removed when you save.')).toBeVisible();
	await page.getByRole('button', { name: 'Save channel' }).click();
	await expect(
		toasts(page).getByText(`Saved the notification channel “${CHANNEL}”.`)
	).toBeVisible();
	await openPage(page, page.url());
	await expect(page.getByLabel('Access token', { exact: true })).toBeEnabled();
	await expect(page.getByLabel('Access token', { exact: true })).not.toHaveAttribute(
		'placeholder',
		/leave empty to keep/
	);
	await expect(page.getByRole('checkbox', { name: 'Remove the stored access token' })).toHaveCount(
		0
	);
});

test('a channel is deleted only after confirmation', async ({ page }) => {
	await openPage(page, '/settings/notifications');
	const row = page.getByRole('row', { name: CHANNEL, exact: true });
	await row.getByRole('button', { name: `Delete notification channel ${CHANNEL}` }).click();
	const dialog = page.getByRole('alertdialog');
	await expect(dialog.getByText(`Delete “${CHANNEL}”?`)).toBeVisible();
	await dialog.getByRole('button', { name: 'Cancel' }).click();
	await expect(row).toBeVisible();
	await row.getByRole('button', { name: `Delete notification channel ${CHANNEL}` }).click();
	await page.getByRole('alertdialog').getByRole('button', { name: 'Delete channel' }).click();
	await expect(
		toasts(page).getByText(`Deleted the notification channel “${CHANNEL}”.`)
	).toBeVisible();
	await expect(page.getByRole('row', { name: CHANNEL, exact: true })).toHaveCount(0);
});
