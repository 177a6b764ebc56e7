/**
 * The connector page (issue "Connector detail page"): adding a Whisparr v3 connector, the app's
 * own health warnings after "Check health", and editing settings without re-entering the key;
 * the connector forms' validation in the browser and their toasts (issue 7, the form kit).
 *
 * Runs after walking-skeleton.spec.ts on the same app and database (files run in name order,
 * one worker): it logs in as the admin that spec created, or creates the admin when it runs alone.
 * Each test adds the connectors it needs under its own names, so the tests also run one by one.
 */
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';

import {
	APP,
	SIM,
	SONARR_KEY,
	RADARR_KEY,
	WHISPARR3_KEY,
	logIn,
	openPage,
	toasts
} from './helpers';

const INDEXER_WARNING = {
	source: 'IndexerStatusCheck',
	type: 'warning',
	message: 'Indexers unavailable due to failures: NZBgeek',
	wikiUrl: 'https://wiki.servarr.com/sonarr/system#indexers-are-unavailable-due-to-failures'
};

test.describe.configure({ mode: 'serial' });

interface NewConnector {
	type: 'Sonarr' | 'Radarr' | 'Whisparr';
	name: string;
	base: string;
	key: string;
}

/** Fills the "Add connector" form (without submitting it). */
async function fillNewConnector(page: Page, c: NewConnector) {
	await openPage(page, '/connectors/new');
	await page.getByLabel('Type', { exact: true }).selectOption({ label: c.type });
	await page.getByLabel('Name', { exact: true }).fill(c.name);
	await page.getByLabel('URL', { exact: true }).fill(`${SIM}${c.base}`);
	await page.getByLabel('API key', { exact: true }).fill(c.key);
}

/** Opens the connector's page, adding the connector first when it does not exist yet. */
async function openConnector(page: Page, c: NewConnector) {
	await openPage(page, '/connectors');
	const link = page.getByRole('link', { name: c.name, exact: true });
	if ((await link.count()) === 0) {
		await fillNewConnector(page, c);
		await page.getByRole('button', { name: 'Save connector' }).click();
		await expect(page).toHaveURL(/\/connectors$/);
	}
	await link.click();
	await expect(page.getByRole('heading', { level: 1, name: c.name })).toBeVisible();
}

async function setSimHealth(request: APIRequestContext, urlBase: string, items: unknown[]) {
	const res = await request.post(`${SIM}/__sim/health`, { data: { urlBase, items } });
	expect(res.ok()).toBe(true);
}

test.beforeEach(async ({ page }) => {
	await logIn(page);
});

test('a Whisparr v3 connector is recognised by its version and shows as healthy', async ({
	page
}) => {
	const whisparr: NewConnector = {
		type: 'Whisparr',
		// New each run: this test adds the connector through the form every time.
		name: `Whisparr Eros ${Date.now().toString(36)}`,
		base: '/whisparr3',
		key: WHISPARR3_KEY
	};
	await fillNewConnector(page, whisparr);
	await page.getByRole('button', { name: 'Test connection' }).click();
	await expect(toasts(page).getByText(/Connected to Whisparr v3 \(Eros\) 3\./)).toBeVisible();
	await page.getByRole('button', { name: 'Save connector' }).click();
	await expect(page).toHaveURL(/\/connectors$/);

	// The list shows the app label instead of a bare version.
	const card = page
		.getByRole('listitem')
		.filter({ has: page.getByRole('link', { name: whisparr.name, exact: true }) });
	await expect(card).toContainText(/Whisparr v3 \(Eros\) 3\./);

	await openConnector(page, whisparr);
	const status = page.getByRole('region', { name: 'Status' });
	await expect(status).toContainText(/Whisparr v3 \(Eros\) 3\.2\.0\.27/);
	await expect(status.getByText('Healthy', { exact: true })).toBeVisible();
	await expect(status.getByText('Old version')).toHaveCount(0);

	// Whisparr v3 holds movies and scenes: no season-pack settings, a movie cooldown instead.
	const settings = page.getByRole('region', { name: 'Settings' });
	await expect(settings.getByLabel('Movie cooldown (hours)')).toBeVisible();
	await expect(settings.getByLabel('Season packs')).toHaveCount(0);
	await expect(settings.getByLabel('Season pack threshold (%)')).toHaveCount(0);

	await expect(page.getByRole('region', { name: 'App health warnings' })).toContainText(
		'The app reports no problems.'
	);
	await expect(page.getByRole('region', { name: 'Sync history' })).toContainText('Not synced yet.');

	// The hidden season-pack values of a movie library do not stop a save.
	await settings.getByLabel('Movie cooldown (hours)').fill('72');
	await settings.getByRole('button', { name: 'Save changes' }).click();
	await expect(toasts(page).getByText(`Saved the settings of “${whisparr.name}”.`)).toBeVisible();
	await page.reload();
	await expect(settings.getByLabel('Movie cooldown (hours)')).toHaveValue('72');
});

test("the app's own health warning degrades the connector, on its page and in the list", async ({
	page,
	request
}) => {
	const sonarr: NewConnector = {
		type: 'Sonarr',
		name: 'Sonarr health',
		base: '/sonarr',
		key: SONARR_KEY
	};
	await openConnector(page, sonarr);
	// Series libraries get the season-pack settings.
	await expect(page.getByLabel('Season pack threshold (%)')).toBeVisible();

	await setSimHealth(request, '/sonarr', [INDEXER_WARNING]);
	try {
		await page.getByRole('button', { name: 'Check health' }).click();
		await expect(page.getByRole('status').filter({ hasText: 'Health: degraded' })).toBeVisible();

		const status = page.getByRole('region', { name: 'Status' });
		await expect(status.getByText('Degraded', { exact: true })).toBeVisible();
		await expect(status).toContainText(INDEXER_WARNING.message);

		const warnings = page.getByRole('region', { name: 'App health warnings' });
		await expect(warnings.getByRole('listitem')).toHaveCount(1);
		await expect(warnings).toContainText('Warning');
		await expect(warnings).toContainText(INDEXER_WARNING.message);
		const wiki = warnings.getByRole('link', { name: /How to fix this/ });
		await expect(wiki).toHaveAttribute('href', INDEXER_WARNING.wikiUrl);
		await expect(wiki).toHaveAttribute('rel', 'noopener noreferrer');

		const history = page.getByRole('region', { name: 'Health history' });
		const change = history.getByRole('row').filter({ hasText: INDEXER_WARNING.message });
		await expect(change.first()).toContainText('Degraded');

		await openPage(page, '/connectors');
		const card = page
			.getByRole('listitem')
			.filter({ has: page.getByRole('link', { name: sonarr.name, exact: true }) });
		await expect(card.getByText('Degraded', { exact: true })).toBeVisible();
		await expect(card).toContainText(INDEXER_WARNING.message);
	} finally {
		await setSimHealth(request, '/sonarr', []);
	}

	// Once the app reports nothing, the next check brings the connector back.
	await openConnector(page, sonarr);
	await page.getByRole('button', { name: 'Check health' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Health: healthy' })).toBeVisible();
	await expect(page.getByRole('region', { name: 'App health warnings' })).toContainText(
		'The app reports no problems.'
	);
	await expect(
		page.getByRole('region', { name: 'Status' }).getByText('Healthy', { exact: true })
	).toBeVisible();
});

test('settings are saved without re-entering the API key, and the stored key still works', async ({
	page
}) => {
	const radarr: NewConnector = {
		type: 'Radarr',
		name: 'Radarr to rename',
		base: '/radarr',
		key: RADARR_KEY
	};
	const renamed = `Radarr renamed ${Date.now()}`;
	await openConnector(page, radarr);
	const settings = page.getByRole('region', { name: 'Settings' });
	const apiKey = settings.getByLabel('API key', { exact: true });
	const timeout = settings.getByLabel('Timeout (seconds)');
	await expect(apiKey).toHaveValue('');

	// An out-of-range timeout is refused on its field and nothing is saved.
	await timeout.fill('0');
	await settings.getByRole('button', { name: 'Save changes' }).click();
	await expect(settings.getByText('Enter a timeout from 1 to 300 s')).toBeVisible();

	// Turning TLS verification off warns while it is checked.
	const skipTls = settings.getByLabel('Skip TLS certificate verification');
	const tlsWarning = settings
		.getByRole('alert')
		.filter({ hasText: 'the connection is no longer protected against interception' });
	await skipTls.check();
	await expect(tlsWarning).toBeVisible();
	await skipTls.uncheck();
	await expect(tlsWarning).toHaveCount(0);

	await settings.getByLabel('Name', { exact: true }).fill(renamed);
	await timeout.fill('45');
	await settings.getByRole('button', { name: 'Save changes' }).click();
	// A successful save is a toast; the page reloads its data (the new name in the heading).
	await expect(toasts(page).getByText(`Saved the settings of “${renamed}”.`)).toBeVisible();
	await expect(page.getByRole('heading', { level: 1, name: renamed })).toBeVisible();

	// Saved for real: a fresh load shows the new values, and the key field is empty again.
	await page.reload();
	await expect(settings.getByLabel('Name', { exact: true })).toHaveValue(renamed);
	await expect(timeout).toHaveValue('45');
	await expect(apiKey).toHaveValue('');

	await settings.getByRole('button', { name: 'Test connection' }).click();
	await expect(toasts(page).getByText(/Connected to Radarr \d/)).toBeVisible();

	await openPage(page, '/connectors');
	await expect(page.getByRole('link', { name: renamed, exact: true })).toBeVisible();
	await expect(page.getByRole('link', { name: radarr.name, exact: true })).toHaveCount(0);

	// Deleting asks first and says what goes; cancelling keeps the connector.
	await page.getByRole('link', { name: renamed, exact: true }).click();
	await page.getByRole('button', { name: `Delete: ${renamed}` }).click();
	const dialog = page.getByRole('alertdialog');
	await expect(dialog).toContainText(/library mirror, search state/);
	await dialog.getByRole('button', { name: 'Cancel' }).click();
	await expect(dialog).toHaveCount(0);
	await expect(page.getByRole('heading', { level: 1, name: renamed })).toBeVisible();
});

test('the add form validates in the browser with the server’s rules: a bad URL or a missing name is never posted', async ({
	page
}) => {
	const name = `Sonarr checked ${Date.now().toString(36)}`;
	await fillNewConnector(page, { type: 'Sonarr', name: '', base: '/sonarr', key: SONARR_KEY });
	const posts: string[] = [];
	page.on('request', (request) => {
		if (request.method() === 'POST') posts.push(new URL(request.url()).search);
	});
	const url = page.getByLabel('URL', { exact: true });
	const badUrl = page.getByText('The URL must start with http:// or https://');

	// "Test connection" checks the fields a connection uses, and only those (no name needed).
	await url.fill('nas:8989');
	await page.getByRole('button', { name: 'Test connection' }).click();
	await expect(badUrl).toBeVisible();
	await expect(url).toHaveAttribute('aria-invalid', 'true');
	await expect(url).toBeFocused();
	await expect(page.getByText('Name is required')).toHaveCount(0);

	// "Save connector" checks the whole form.
	await page.getByRole('button', { name: 'Save connector' }).click();
	await expect(page.getByText('Name is required')).toBeVisible();
	await expect(badUrl).toBeVisible();

	// Corrected, the test goes out without a name. It is the first request the page posted: had a
	// refused submit been sent, its request would have come before this one. The app refuses the
	// wrong key on the key field, which keeps what was typed so it can be corrected in place.
	const apiKey = page.getByLabel('API key', { exact: true });
	const wrongKey = '0'.repeat(32);
	await url.fill(`${SIM}/sonarr`);
	await apiKey.fill(wrongKey);
	await page.getByRole('button', { name: 'Test connection' }).click();
	await expect(page.getByText(/refused the API key/)).toBeVisible();
	await expect(badUrl).toHaveCount(0);
	expect(posts).toEqual(['?/test']);
	await expect(apiKey).toHaveValue(wrongKey);

	await apiKey.fill(SONARR_KEY);
	await page.getByRole('button', { name: 'Test connection' }).click();
	await expect(toasts(page).getByText(/^Connected to Sonarr/)).toBeVisible();

	// Saved, the list says so in a toast.
	await page.getByLabel('Name', { exact: true }).fill(name);
	await page.getByRole('button', { name: 'Save connector' }).click();
	await expect(page).toHaveURL(/\/connectors$/);
	await expect(toasts(page).getByText(`Added “${name}”.`)).toBeVisible();
	await expect(page.getByRole('link', { name, exact: true })).toBeVisible();

	const list = (await (await page.request.get('/api/v1/connectors')).json()) as {
		id: number;
		name: string;
	}[];
	const added = list.find((c) => c.name === name);
	expect(added).toBeDefined();
	const removed = await page.request.delete(`/api/v1/connectors/${added?.id}`, {
		headers: { Origin: APP }
	});
	expect(removed.status()).toBe(204);
});
