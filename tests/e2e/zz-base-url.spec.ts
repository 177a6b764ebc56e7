/**
 * BASE_URL (issue 7, item 10): Comradarr served under `/comradarr/` behind a real nginx, as the
 * README tells users to set it up. A second app (its own database) runs with
 * `BASE_URL=/comradarr` and `TRUSTED_PROXIES=127.0.0.1`; nginx (scripts/e2e-nginx.sh) passes
 * `/comradarr/…` on unchanged. A new user sets it up, moves around, adds a connector, uses the
 * API, logs out and back in — and no request, link, redirect or cookie ever leaves the prefix.
 */
import { expect, test, type Page } from '@playwright/test';
import { ADMIN, SIM, SONARR_KEY, openPage } from './helpers';

const ORIGIN = `http://127.0.0.1:${process.env.E2E_NGINX_PORT}`;
const BASE = `${ORIGIN}/comradarr/`;

test.describe.configure({ mode: 'serial' });
// Relative paths below (`page.goto('dashboard')`) resolve under the prefix; '/x' would not.
test.use({ baseURL: BASE });

/** Every URL the browser asked nginx for, to check none escaped the prefix. */
function recordRequests(page: Page): string[] {
	const seen: string[] = [];
	page.on('request', (request) => {
		if (request.url().startsWith(ORIGIN)) seen.push(request.url());
	});
	return seen;
}

/** The URLs that left the prefix (the test's own request for the bare prefix aside). */
function outsidePrefix(urls: string[]): string[] {
	return urls.filter((url) => !url.startsWith(BASE) && url !== `${ORIGIN}/comradarr`);
}

test('a new user sets Comradarr up under /comradarr/ and everything stays under the prefix', async ({
	page,
	context
}) => {
	const requests = recordRequests(page);

	// The bare prefix goes to prefix/, and a fresh install to set-up.
	await page.goto(`${ORIGIN}/comradarr`);
	await expect(page).toHaveURL(`${BASE}setup`);
	await page.getByLabel('Username').fill(ADMIN.username);
	await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
	await page.getByLabel('Confirm password').fill(ADMIN.password);
	await page.getByRole('button', { name: 'Create account' }).click();
	await expect(page).toHaveURL(`${BASE}dashboard`);

	// The session cookie belongs to the prefix, not to the other apps on this host.
	const cookie = (await context.cookies()).find((c) => c.name === 'comradarr_session');
	expect(cookie?.path).toBe('/comradarr');

	// The sidebar and the Settings menu, by client-side navigation.
	for (const [link, path] of [
		['Connectors', 'connectors'],
		['Queue', 'queue'],
		['Settings', 'settings/general'],
		['Dashboard', 'dashboard']
	] as const) {
		await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
		await expect(page).toHaveURL(`${BASE}${path}`);
		await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
	}
	await page.goto('settings/general');
	for (const [link, path] of [
		['Security', 'settings/security'],
		['API keys', 'settings/api-keys'],
		['About', 'settings/about']
	] as const) {
		await page
			.getByRole('navigation', { name: 'Settings' })
			.getByRole('link', { name: link })
			.click();
		await expect(page).toHaveURL(`${BASE}${path}`);
		await expect(page.getByRole('heading', { level: 1, name: link })).toBeVisible();
	}

	// A form that redirects after saving lands under the prefix.
	await openPage(page, 'connectors/new');
	await page.getByLabel('Type').selectOption({ label: 'Sonarr' });
	await page.getByLabel('Name').fill('Sonarr');
	await page.getByLabel('URL').fill(`${SIM}/sonarr`);
	await page.getByLabel('API key').fill(SONARR_KEY);
	await page.getByRole('button', { name: 'Save connector' }).click();
	await expect(page).toHaveURL(`${BASE}connectors`);
	await page.getByRole('link', { name: 'Sonarr', exact: true }).click();
	await expect(page).toHaveURL(new RegExp(`^${BASE}connectors/\\d+$`));

	// The webhook URL the app must post to carries the proxy's origin and the prefix, and works.
	const id = /connectors\/(\d+)$/.exec(page.url())?.[1];
	const shown = page
		.getByRole('region', { name: 'Webhook' })
		.getByRole('textbox', { name: 'Webhook URL' });
	await expect(shown).toHaveValue(`${BASE}webhooks/${id}`);
	const generated = await page.request.post(`api/v1/connectors/${id}/webhook`, {
		headers: { origin: ORIGIN }
	});
	expect(generated.status()).toBe(201);
	const webhook = (await generated.json()) as { url: string; secret: string };
	expect(webhook.url).toBe(`${BASE}webhooks/${id}`);
	const posted = await page.request.post(webhook.url, {
		headers: { 'x-comradarr-token': webhook.secret },
		data: { eventType: 'Test', series: { id: 1, title: 'Test Title' } }
	});
	expect(posted.status()).toBe(200);

	// The JSON API answers under the prefix with the same session.
	const api = await page.request.get('api/v1/connectors');
	expect(api.status()).toBe(200);
	expect(((await api.json()) as { name: string }[]).map((c) => c.name)).toEqual(['Sonarr']);

	expect(outsidePrefix(requests)).toEqual([]);
});

test('logging out and back in keeps to the prefix, including the way back to the page asked for', async ({
	page
}) => {
	const requests = recordRequests(page);
	await page.goto('dashboard');
	// The session from the first test is not in this new context: log in first.
	await expect(page).toHaveURL(`${BASE}login?redirectTo=%2Fdashboard`);
	await page.getByLabel('Username').fill(ADMIN.username);
	await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
	await page.getByRole('button', { name: 'Log in' }).click();
	await expect(page).toHaveURL(`${BASE}dashboard`);

	await page.getByRole('button', { name: /User menu/ }).click();
	await page.getByRole('menuitem', { name: 'Log out' }).click();
	await expect(page).toHaveURL(new RegExp(`^${BASE}login`));

	// A deep link asked for while logged out is where the login lands.
	await page.goto('queue');
	await expect(page).toHaveURL(`${BASE}login?redirectTo=%2Fqueue`);
	await page.getByLabel('Username').fill(ADMIN.username);
	await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
	await page.getByRole('button', { name: 'Log in' }).click();
	await expect(page).toHaveURL(`${BASE}queue`);

	expect(outsidePrefix(requests)).toEqual([]);
});

test('the app answers only under its prefix; the rest of the host is not Comradarr', async ({
	request
}) => {
	const health = await request.get(`${BASE}health`);
	expect(health.status()).toBe(200);
	expect(((await health.json()) as { status: string }).status).toBeDefined();
	// Outside the prefix nginx answers for the other apps on this host.
	const outside = await request.get(`${ORIGIN}/dashboard`, { maxRedirects: 0 });
	expect(outside.status()).toBe(404);
	expect(await outside.text()).toContain('not Comradarr');
});
