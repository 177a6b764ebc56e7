/**
 * Webhooks in (issue 8, part 7), as a user sets them up: on the connector page, generate the
 * webhook secret, see the URL and the secret once, copy them, and have the *arr app's own
 * notification (the Test payload Sonarr sends from Settings → Connect) accepted with that secret —
 * refused without it, and refused with the old one after "Regenerate". The JSON API generates a
 * secret as well, and the connector resource never carries it.
 *
 * Runs after x-connectors-detail.spec.ts on the same app (files run in name order); logs in as
 * the admin, or creates it when run alone, and adds its own connector when it does not exist.
 */
import { expect, test, type Page } from '@playwright/test';
import { APP, SIM, SONARR_KEY, logIn, openPage, toasts } from './helpers';
import { sonarrDownload, sonarrTest } from '../helpers/webhook-payloads';

test.describe.configure({ mode: 'serial' });

const NAME = 'Webhook TV';

async function openConnector(page: Page): Promise<number> {
	await openPage(page, '/connectors');
	const link = page.getByRole('link', { name: NAME, exact: true });
	if ((await link.count()) === 0) {
		await openPage(page, '/connectors/new');
		await page.getByLabel('Type', { exact: true }).selectOption({ label: 'Sonarr' });
		await page.getByLabel('Name', { exact: true }).fill(NAME);
		await page.getByLabel('URL', { exact: true }).fill(`${SIM}/sonarr`);
		await page.getByLabel('API key', { exact: true }).fill(SONARR_KEY);
		await page.getByRole('button', { name: 'Save connector' }).click();
		await expect(page).toHaveURL(/\/connectors$/);
	}
	const href = await link.getAttribute('href');
	const id = Number(/(\d+)$/.exec(href ?? '')?.[1]);
	expect(id).toBeGreaterThan(0);
	await openPage(page, `/connectors/${id}`);
	await expect(page.getByRole('heading', { level: 1, name: NAME })).toBeVisible();
	return id;
}

function basic(secret: string): Record<string, string> {
	return { authorization: `Basic ${Buffer.from(`sonarr:${secret}`).toString('base64')}` };
}

test.beforeEach(async ({ page }) => {
	await logIn(page);
});

test('generate the secret on the connector page, copy it, and the app’s Test notification is accepted', async ({
	page,
	context,
	request
}) => {
	await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: APP });
	const id = await openConnector(page);
	const region = page.getByRole('region', { name: 'Webhook' });
	const url = `${APP}/webhooks/${id}`;
	await expect(region.getByRole('textbox', { name: 'Webhook URL' })).toHaveValue(url);
	// The exact fields to fill in, in the app's own words.
	await expect(region.getByText('Settings → Connect')).toBeVisible();
	await expect(region.getByText('On File Import', { exact: true })).toBeVisible();
	await expect(region.getByText('Method', { exact: true })).toBeVisible();

	const generate = region.getByRole('button', { name: /^(Generate|Regenerate) secret$/ });
	if ((await generate.textContent())?.includes('Regenerate')) {
		// A second run of this spec on the same database: the confirmation comes first.
		await generate.click();
		await page
			.getByRole('alertdialog')
			.getByRole('button', { name: 'Generate new secret' })
			.click();
	} else {
		await generate.click();
	}
	const secretField = region.getByRole('textbox', { name: 'Webhook secret' });
	await expect(secretField).toBeVisible();
	const secret = await secretField.inputValue();
	expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
	await expect(toasts(page).getByText(/Webhook secret generated|New webhook secret/)).toBeVisible();

	// Copy works (or the field is selectable by hand, where the clipboard is not allowed).
	await region.getByRole('button', { name: 'Copy webhook secret' }).click();
	const copied = await page.evaluate(async () => {
		try {
			return await navigator.clipboard.readText();
		} catch {
			return null;
		}
	});
	if (copied !== null) expect(copied).toBe(secret);
	await secretField.focus();
	const selected = await secretField.evaluate((el: HTMLInputElement) =>
		el.value.slice(el.selectionStart ?? 0, el.selectionEnd ?? 0)
	);
	expect(selected).toBe(secret);

	// What Sonarr sends when the user presses Test, with the secret as the Password.
	const accepted = await request.post(url, { headers: basic(secret), data: sonarrTest() });
	expect(accepted.status()).toBe(200);
	expect(await accepted.json()).toMatchObject({ accepted: true, eventType: 'Test' });
	// An import of a real series is scheduled for a refresh.
	const seriesList = await request.get(`${SIM}/sonarr/api/v3/series`, {
		headers: { 'x-api-key': SONARR_KEY }
	});
	const [first] = (await seriesList.json()) as { id: number; title: string; tvdbId: number }[];
	const imported = await request.post(url, {
		headers: { 'x-comradarr-token': secret },
		data: sonarrDownload(first!, [], 1)
	});
	expect(imported.status()).toBe(202);
	// Without the secret, or with another, nothing gets in.
	expect((await request.post(url, { data: sonarrTest() })).status()).toBe(401);
	expect(
		(await request.post(url, { headers: basic('x'.repeat(43)), data: sonarrTest() })).status()
	).toBe(401);

	// Shown once: after a reload the page only says that a secret is set.
	await page.reload();
	await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
	await expect(region.getByRole('textbox', { name: 'Webhook secret' })).toHaveCount(0);
	await expect(region.getByText(/A secret is set/)).toBeVisible();
	expect(await page.content()).not.toContain(secret);

	// Regenerate: confirmed first, then the old secret stops working.
	await region.getByRole('button', { name: 'Regenerate secret' }).click();
	const dialog = page.getByRole('alertdialog');
	await expect(dialog.getByText(/stops working at once/)).toBeVisible();
	await dialog.getByRole('button', { name: 'Generate new secret' }).click();
	const next = await region.getByRole('textbox', { name: 'Webhook secret' }).inputValue();
	expect(next).not.toBe(secret);
	expect((await request.post(url, { headers: basic(secret), data: sonarrTest() })).status()).toBe(
		401
	);
	expect((await request.post(url, { headers: basic(next), data: sonarrTest() })).status()).toBe(
		200
	);
});

test('the API generates a secret once and the connector resource never carries it', async ({
	page
}) => {
	const id = await openConnector(page);
	const api = page.request;
	const created = await api.post(`/api/v1/connectors/${id}/webhook`, { headers: { origin: APP } });
	expect(created.status()).toBe(201);
	const { url, secret } = (await created.json()) as { url: string; secret: string };
	expect(url).toBe(`${APP}/webhooks/${id}`);
	expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

	const resource = await api.get(`/api/v1/connectors/${id}`);
	expect(resource.status()).toBe(200);
	const text = await resource.text();
	expect(text).not.toContain(secret);
	expect(text).not.toMatch(/webhookSecret/i);
	const list = await api.get('/api/v1/connectors');
	expect(await list.text()).not.toContain(secret);

	// Only that secret opens the webhook: the session that made it does not.
	expect((await api.post(url, { data: sonarrTest() })).status()).toBe(401);
	expect(
		(await api.post(`${url}?token=${encodeURIComponent(secret)}`, { data: sonarrTest() })).status()
	).toBe(200);
});
