/** Shared steps of the e2e specs (they run in name order against one app and database). */
import { expect, type APIRequestContext, type Page } from '@playwright/test';

/** The app under test and the simulator (ports from playwright.config.ts). */
export const APP = `http://127.0.0.1:${process.env.E2E_APP_PORT || 4173}`;
export const SIM = `http://127.0.0.1:${process.env.E2E_SIM_PORT || 18989}`;
/** The simulator's default keys (tests/arr-sim/main.ts). */
export const SONARR_KEY = '0123456789abcdef0123456789abcdef';
export const RADARR_KEY = 'fedcba9876543210fedcba9876543210';
export const WHISPARR3_KEY = '1234512345123451234512345123451a';
export const ADMIN = { username: 'admin', password: 'correct horse battery' };

/**
 * Opens a page and waits until it is hydrated (the root layout sets `data-hydrated` on <html>):
 * a click on a bits-ui control before then is lost.
 */
export async function openPage(page: Page, path: string): Promise<void> {
	await page.goto(path);
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
}

/** Logs in as the admin, creating it first when the app is still fresh. */
export async function logIn(page: Page): Promise<void> {
	await page.goto('/dashboard');
	await page.waitForURL(/\/(dashboard|setup|login)/);
	if (page.url().includes('/setup')) {
		await page.getByLabel('Username').fill(ADMIN.username);
		await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
		await page.getByLabel('Confirm password').fill(ADMIN.password);
		await page.getByRole('button', { name: 'Create account' }).click();
	} else if (page.url().includes('/login')) {
		await page.getByLabel('Username').fill(ADMIN.username);
		await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
		await page.getByRole('button', { name: 'Log in' }).click();
	}
	await expect(page).toHaveURL(/\/dashboard/);
}

/**
 * The toasts of the page (svelte-sonner's live region, "Notifications alt+T"): where the form kit
 * shows a successful save or a connection test.
 */
export function toasts(page: Page) {
	return page.getByRole('region', { name: /^Notifications/ });
}

/**
 * Waits until job run `id` (`GET /api/v1/jobs/{id}`) ends in `success`; fails on time-out, or
 * when it ends otherwise (the poll keeps seeing the wrong status until the time-out).
 * @param timeout ms (default 60 s)
 */
export async function waitForJob(api: APIRequestContext, id: number, timeout = 60_000) {
	await expect
		.poll(
			async () =>
				((await (await api.get(`/api/v1/jobs/${id}`)).json()) as { status: string }).status,
			{ timeout }
		)
		.toBe('success');
}

/** The job run id of a 202 answer `{ job: { id } }` (sync, sweep). */
export async function jobOf(response: { json(): Promise<unknown> }): Promise<number> {
	return ((await response.json()) as { job: { id: number } }).job.id;
}
