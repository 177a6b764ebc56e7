/**
 * The Logs page as a user drives it (issue 12 §5), against the built app: open it from the
 * sidebar, filter by level and module with the keyboard alone (the address keeps the filters),
 * open a line's other fields, follow the live tail while a failed login happens in another
 * browser (paused while the tab is hidden, stopped when switched off); an API error carries its request id and the API answers the page's filters.
 */
import { expect, test, type Page } from '@playwright/test';
import { APP, logIn, openPage } from './helpers';

test.describe.configure({ mode: 'serial' });

const lines = (page: Page) => page.getByTestId('log-line');
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

test('filters the recent lines by level and module with the keyboard alone', async ({ page }) => {
	await logIn(page);
	await page.getByRole('navigation').getByRole('link', { name: 'Logs' }).click();
	await expect(page).toHaveURL(/\/logs$/);
	await expect(page.getByRole('heading', { name: 'Logs', level: 1 })).toBeVisible();
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	await expect(lines(page).first()).toBeVisible();
	// The e2e server logs at debug: the unfiltered list has lines below info.
	await expect(page.getByText(/Recording at level\s+debug/)).toBeVisible();

	// Level: type-ahead on the focused select; Tab to the module and the text; Enter applies.
	await page.getByLabel('Level').focus();
	await page.keyboard.type('info');
	await page.keyboard.press('Tab');
	await expect(page.getByLabel('Module')).toBeFocused();
	await page.keyboard.type('auth');
	await page.keyboard.press('Tab');
	await expect(page.getByLabel('Text')).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(page).toHaveURL(/[?&]level=info\b/);
	await expect(page).toHaveURL(/[?&]module=auth\b/);
	await expect(page.getByLabel('Level')).toHaveValue('info');
	await expect(page.getByLabel('Module')).toHaveValue('auth');

	// The admin's own login (or set-up, on a fresh database), and nothing but auth lines at info
	// and above.
	await expect(
		lines(page).filter({
			has: page.getByTestId('log-message').getByText(/^(login|admin created at setup)$/)
		})
	).not.toHaveCount(0);
	const shown = await lines(page).evaluateAll((rows) =>
		rows.map((row) => ({
			level: row.getAttribute('data-level') ?? '',
			module: row.querySelector('[data-testid="log-module"]')?.textContent?.trim() ?? ''
		}))
	);
	expect(shown.length).toBeGreaterThan(0);
	for (const line of shown) {
		expect(line.module).toBe('auth');
		expect(LEVELS.indexOf(line.level)).toBeGreaterThanOrEqual(LEVELS.indexOf('info'));
	}

	// A reload keeps the filters (they live in the address).
	await page.reload();
	await expect(page.getByLabel('Module')).toHaveValue('auth');

	// A line's other fields, as JSON, from its disclosure button.
	const first = lines(page).first();
	const toggle = first.getByRole('button', { name: /^Fields of line \d+$/ });
	await toggle.focus();
	await page.keyboard.press('Enter');
	await expect(toggle).toHaveAttribute('aria-expanded', 'true');
	await expect(page.getByTestId('log-fields').first()).toContainText('"userId"');

	// A filter that matches nothing says so and offers the way back.
	await openPage(page, '/logs?module=auth&q=no-such-text-anywhere-0xdeadbeef');
	await expect(page.getByText('No line matches these filters')).toBeVisible();
	await page.getByRole('link', { name: 'Reset filters' }).click();
	await expect(page).toHaveURL(/\/logs$/);
	await expect(lines(page).first()).toBeVisible();

	// A bad filter from a hand-edited address is named, not a crash.
	await openPage(page, '/logs?level=loud');
	await expect(page.getByRole('alert')).toContainText('level must be one of');
});

test('follows new lines live: a failed login elsewhere appears without a reload', async ({
	page,
	playwright
}) => {
	await logIn(page);
	await openPage(page, '/logs?module=auth');
	const live = page.getByRole('switch', { name: 'Live tail' });
	await live.focus();
	await page.keyboard.press('Space');
	await expect(live).toHaveAttribute('aria-checked', 'true');
	await expect(page.getByText(/new lines every 2 s/)).toBeVisible();
	const before = await lines(page).count();
	const marker = await page.evaluate(() => {
		(window as unknown as { __notReloaded: boolean }).__notReloaded = true;
		return true;
	});
	expect(marker).toBe(true);

	// Someone else, elsewhere, mistypes a username.
	const stranger = await playwright.request.newContext({ baseURL: APP });
	const typed = `nobody-${Date.now()}`;
	const refused = await stranger.post('/login', {
		headers: { Origin: APP },
		form: { username: typed, password: 'not the password' },
		maxRedirects: 0
	});
	expect(refused.status()).toBeLessThan(500);
	expect(refused.headers()['set-cookie'] ?? '').not.toContain('comradarr_session=');
	await stranger.dispose();

	const line = lines(page).filter({
		has: page.getByTestId('log-message').getByText('login refused', { exact: true })
	});
	await expect(line.first()).toBeVisible({ timeout: 10_000 });
	await expect.poll(() => lines(page).count()).toBeGreaterThan(before);
	await expect(page.getByTestId('logs-announcement')).toHaveText(/new lines?$/);
	expect(
		await page.evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded)
	).toBe(true);
	// The line has its request's correlation id and, for a name that is nobody's, only a
	// fingerprint of what was typed.
	const newest = line.first();
	await expect(newest.getByRole('link', { name: /^Lines of [0-9a-f-]{36}$/ })).toBeVisible();
	await newest.getByRole('button', { name: /^Fields of line/ }).click();
	const fields = page.getByTestId('log-fields').first();
	await expect(fields).toContainText('"unknownUser"');
	await expect(fields).not.toContainText(typed);

	// A hidden tab does not poll; shown again, it catches up at once.
	const polls: string[] = [];
	page.on('request', (request) => {
		if (request.url().includes('/api/v1/logs?')) polls.push(request.url());
	});
	await page.evaluate(() => {
		Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
		document.dispatchEvent(new Event('visibilitychange'));
	});
	await expect(page.getByText('paused while the tab is hidden')).toBeVisible();
	polls.length = 0;
	await page.waitForTimeout(4500);
	expect(polls, 'no poll while hidden').toEqual([]);
	await page.evaluate(() => {
		Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
		document.dispatchEvent(new Event('visibilitychange'));
	});
	await expect(page.getByText(/new lines every 2 s/)).toBeVisible();
	await expect.poll(() => polls.length).toBeGreaterThan(0);
	expect(polls[0]).toMatch(/[?&]after=\d+/);
	expect(polls[0]).toMatch(/[?&]module=auth\b/);

	// Off again: nothing polls any more.
	await live.click();
	await expect(live).toHaveAttribute('aria-checked', 'false');
	polls.length = 0;
	await page.waitForTimeout(2500);
	expect(polls, 'no poll once the live tail is off').toEqual([]);
});

test("API errors carry the request id, and the API answers the page's filters", async ({
	page
}) => {
	await logIn(page);
	const answer = await page.request.get('/api/v1/logs?level=loud');
	expect(answer.status()).toBe(400);
	const body = (await answer.json()) as { error: { code: string; requestId: string } };
	expect(body.error.code).toBe('validation.failed');
	expect(body.error.requestId).toBe(answer.headers()['x-request-id']);

	// The API answers the same lines the page shows, for the same filters.
	const api = await page.request.get('/api/v1/logs?module=auth&level=info&limit=5');
	expect(api.status()).toBe(200);
	const page1 = (await api.json()) as {
		lines: { seq: number; module: string; level: string }[];
		nextAfter: number;
		modules: string[];
	};
	expect(page1.lines.length).toBeGreaterThan(0);
	expect(page1.lines.every((l) => l.module === 'auth')).toBe(true);
	expect(page1.modules).toEqual(expect.arrayContaining(['auth', 'http']));
	const tail = await page.request.get(`/api/v1/logs?after=${page1.nextAfter}&module=auth`);
	expect(((await tail.json()) as { lines: unknown[] }).lines).toEqual([]);
});
