/**
 * Settings in a real browser against the built server: General (a field error for an unknown
 * time zone, the display name in the sidebar), API keys (created in the UI, used from the real
 * `curl` binary with the documented header, revoked in the UI), Security (local-network bypass
 * warning, the disabled-mode banner), Search behaviour (the no-results wait) and the password change (other sessions end, the new
 * password logs in).
 *
 * Runs after the other specs on the same app and database (files run in name order). Every test
 * puts back what it changed — display name, authentication mode, password — so the specs after
 * it, and a second run, start from the same state.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import { ADMIN, APP, logIn, openPage } from './helpers';

test.describe.configure({ mode: 'serial' });

const run = promisify(execFile);

/** `curl` with the documented header, as the README shows it; returns the HTTP status. */
async function curlStatus(key: string, path = '/api/v1/connectors'): Promise<number> {
	const { stdout } = await run('curl', [
		'--silent',
		'--output',
		'/dev/null',
		'--write-out',
		'%{http_code}',
		'--max-time',
		'10',
		'-H',
		`X-Api-Key: ${key}`,
		`${APP}${path}`
	]);
	return Number(stdout.trim());
}

async function saveSecurity(page: Page): Promise<void> {
	await page.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(page.getByText('Security settings saved.')).toBeVisible();
}

test.beforeEach(async ({ page }) => {
	await logIn(page);
});

test('/settings opens General; an unknown time zone is refused on its field, a valid save shows the display name', async ({
	page
}) => {
	await openPage(page, '/settings');
	await expect(page).toHaveURL(/\/settings\/general$/);
	await expect(page.getByRole('navigation', { name: 'Settings' })).toBeVisible();
	for (const section of ['General', 'Security', 'API keys', 'Database', 'About']) {
		await expect(
			page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: section })
		).toBeVisible();
	}

	// The browser validates with the server's schema: the refused save never leaves the page.
	const posts: string[] = [];
	page.on('request', (request) => {
		if (request.method() === 'POST') posts.push(request.url());
	});
	const zone = page.getByLabel('Time zone');
	await zone.fill('Mars/Olympus_Mons');
	await page.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(page.getByText('Not a known time zone')).toBeVisible();
	await expect(zone).toHaveAttribute('aria-invalid', 'true');
	expect(posts).toEqual([]);
	// Nothing was saved: a reload shows the stored zone again.
	await page.reload();
	await expect(page.getByLabel('Time zone')).not.toHaveValue('Mars/Olympus_Mons');

	await page.getByLabel('Display name').fill('Home media');
	await page.getByLabel('Time zone').fill('Europe/Berlin');
	await page.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(page.getByText('General settings saved.')).toBeVisible();
	await openPage(page, '/dashboard');
	await expect(page.locator('#app-sidebar')).toContainText('Home media');
	await expect(page).toHaveTitle(/Home media/);

	// Put the defaults back for the specs that follow.
	await openPage(page, '/settings/general');
	await page.getByLabel('Display name').fill('Comradarr');
	await page.getByLabel('Time zone').fill('UTC');
	await page.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(page.getByText('General settings saved.')).toBeVisible();
});

test('Search behaviour: the no-results wait refuses 366 days on its field, saves 7, and shows it after a reload', async ({
	page
}) => {
	await openPage(page, '/settings/search');
	const wait = page.getByLabel('Wait after a search that found nothing (days)');
	await expect(wait).toHaveValue('30');
	await wait.fill('366');
	await page.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(page.getByText('No-results wait: at most 365 days.')).toBeVisible();
	await wait.fill('7');
	await page.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(page.getByText(/Search behaviour saved\./)).toBeVisible();
	await page.reload();
	await expect(wait).toHaveValue('7');
	// Put back the default for the specs after this one and a second run.
	await wait.fill('30');
	await page.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(page.getByText(/Search behaviour saved\./)).toBeVisible();
});

test('an API key created in the UI works from curl with X-Api-Key, and stops working once revoked', async ({
	page
}) => {
	const name = `curl key ${Date.now()}`;
	await openPage(page, '/settings/api-keys');
	await page.getByLabel('Description').fill(name);
	await page.getByRole('radio', { name: 'Full access' }).click();
	await page.getByRole('button', { name: 'Create key' }).click();

	const dialog = page.getByRole('dialog', { name: 'Your new API key' });
	await expect(dialog).toBeVisible();
	await expect(dialog.getByText('you will not see it again')).toBeVisible();
	const key = await dialog.getByRole('textbox', { name: 'API key' }).inputValue();
	expect(key).toMatch(/^cmdr_[A-Za-z0-9_-]{43}$/);

	expect(await curlStatus(key)).toBe(200);

	await dialog.getByRole('button', { name: 'Done' }).click();
	await expect(dialog).toBeHidden();
	// The page never keeps the key: only its first characters are listed.
	await page.reload();
	expect(await page.content()).not.toContain(key);
	const row = page.getByRole('row').filter({ hasText: name });
	await expect(row).toContainText(key.slice(0, 8));
	await expect(row).toContainText('Full access');
	// curl's use is recorded, with the socket peer it came from.
	await expect(row.getByRole('cell').nth(5)).not.toContainText('never');
	await expect(row).toContainText('127.0.0.1');

	await row.getByRole('button', { name: `Revoke API key ${name}` }).click();
	const confirm = page.getByRole('alertdialog');
	await expect(confirm).toContainText('stops working at once');
	await confirm.getByRole('button', { name: 'Revoke key' }).click();
	await expect(page.getByText('API key revoked.')).toBeVisible();
	await expect(page.getByRole('row').filter({ hasText: name })).toHaveCount(0);

	expect(await curlStatus(key)).toBe(401);
});

test('local-network bypass shows that it trusts every device on the LAN, also after a reload', async ({
	page
}) => {
	await openPage(page, '/settings/security');
	const warning = page.getByText('trusts every device on your LAN');
	await expect(warning).toHaveCount(0);
	await page.getByRole('radio', { name: 'Local network bypass' }).click();
	await expect(warning).toBeVisible();
	await saveSecurity(page);
	await page.reload();
	await expect(page.getByRole('radio', { name: 'Local network bypass' })).toBeChecked();
	await expect(warning).toBeVisible();

	await page.getByRole('radio', { name: 'Full' }).click();
	await saveSecurity(page);
	await page.reload();
	await expect(page.getByRole('radio', { name: 'Full' })).toBeChecked();
	await expect(warning).toHaveCount(0);
});

test('disabling authentication needs the confirmation and then puts a warning banner on every page', async ({
	page
}) => {
	await openPage(page, '/settings/security');
	await page.getByRole('radio', { name: 'Disabled' }).click();
	await page.getByRole('button', { name: 'Save', exact: true }).click();
	await expect(page.getByText('Tick the box to confirm')).toBeVisible();

	await page.getByRole('checkbox', { name: /I understand that anyone/ }).click();
	await saveSecurity(page);
	for (const path of ['/dashboard', '/queue', '/settings/about']) {
		await openPage(page, path);
		await expect(
			page.getByRole('alert').filter({ hasText: 'Authentication is disabled' })
		).toBeVisible();
	}

	await openPage(page, '/settings/security');
	await page.getByRole('radio', { name: 'Full' }).click();
	await saveSecurity(page);
	await openPage(page, '/dashboard');
	await expect(page.getByText('Authentication is disabled')).toHaveCount(0);
});

test('changing the password logs the other sessions out, and the new password logs in', async ({
	page,
	browser
}) => {
	// A second browser, signed in too: it must be logged out by the change.
	const other = await browser.newContext();
	const otherPage = await other.newPage();
	await logIn(otherPage);

	await openPage(page, '/settings/security');
	await expect(page.getByRole('row').filter({ hasText: 'This session' })).toHaveCount(1);
	const newPassword = 'a brand new passphrase';

	await page.getByLabel('Current password').fill('not the password');
	await page.getByLabel('New password', { exact: true }).fill(newPassword);
	await page.getByLabel('Confirm new password').fill(newPassword);
	await page.getByRole('button', { name: 'Change password' }).click();
	await expect(page.getByText('The current password is wrong.')).toBeVisible();

	await page.getByLabel('Current password').fill(ADMIN.password);
	await page.getByLabel('New password', { exact: true }).fill(newPassword);
	await page.getByLabel('Confirm new password').fill(newPassword);
	await page.getByRole('button', { name: 'Change password' }).click();
	await expect(
		page.getByText(/Password changed\. \d+ other sessions? (was|were) logged out\./)
	).toBeVisible();
	await expect(page.getByText('This is your only session')).toBeVisible();

	await otherPage.goto('/dashboard');
	await expect(otherPage).toHaveURL(/\/login/);
	await otherPage.getByLabel('Username').fill(ADMIN.username);
	await otherPage.getByLabel('Password', { exact: true }).fill(ADMIN.password);
	await otherPage.getByRole('button', { name: 'Log in' }).click();
	await expect(otherPage.getByText('Invalid username or password.')).toBeVisible();
	await otherPage.getByLabel('Password', { exact: true }).fill(newPassword);
	await otherPage.getByRole('button', { name: 'Log in' }).click();
	await expect(otherPage).toHaveURL(/\/dashboard/);

	// Back to the shared password, so logIn() keeps working for later specs and runs.
	await otherPage.goto('/settings/security');
	await otherPage.getByLabel('Current password').fill(newPassword);
	await otherPage.getByLabel('New password', { exact: true }).fill(ADMIN.password);
	await otherPage.getByLabel('Confirm new password').fill(ADMIN.password);
	await otherPage.getByRole('button', { name: 'Change password' }).click();
	await expect(otherPage.getByText(/Password changed\./)).toBeVisible();
	await other.close();
});
