/**
 * Settings → Database in the browser against the built server and a real PostgreSQL: table
 * sizes, Vacuum and Prune followed to success, a backup made and downloaded in the format the
 * page states (pg_dump, or the built-in format: run once with BACKUP_FORMAT=builtin), the configuration
 * exported (with and without encrypted keys) and parsed, and the API's refusals for these routes.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect, test, type Page } from '@playwright/test';
import { APP, SIM, SONARR_KEY, logIn, openPage } from './helpers';

test.describe.configure({ mode: 'serial' });

const ORIGIN = { Origin: APP };
/** The backup downloaded by one test and restored by a later one. */
const saved = path.join(
	mkdtempSync(path.join(os.tmpdir(), 'comradarr-e2e-backup-')),
	'backup.dump'
);

async function openDatabasePage(page: Page): Promise<void> {
	await logIn(page);
	// Hydrated first: a file chosen before the page's handlers are attached is never previewed.
	await openPage(page, '/settings/database');
	await expect(page.getByRole('heading', { name: 'Database', level: 1 })).toBeVisible();
}

test('shows the connection and the size of every table', async ({ page }) => {
	await openDatabasePage(page);
	await expect(page.getByText('Connected', { exact: true })).toBeVisible();
	const sizes = page.getByRole('table', { name: 'Table sizes' });
	for (const table of ['connectors', 'episodes', 'job_runs', 'drizzle.__drizzle_migrations']) {
		await expect(sizes.getByRole('cell', { name: table, exact: true })).toBeVisible();
	}
	await expect(sizes.getByRole('cell', { name: /^\d+(\.\d)? (KB|MB)$/ }).first()).toBeVisible();
});

test('runs Vacuum after confirmation and follows it to success', async ({ page }) => {
	await openDatabasePage(page);
	const section = page.getByRole('region', { name: 'Vacuum' });
	await section.getByRole('button', { name: 'Vacuum' }).click();
	const dialog = page.getByRole('alertdialog');
	await expect(dialog).toContainText('VACUUM (ANALYZE) table by table');
	await dialog.getByRole('button', { name: 'Vacuum' }).click();
	await expect(section.locator('[data-slot="job-progress"]')).toHaveAttribute(
		'data-status',
		'success',
		{
			timeout: 30_000
		}
	);
	await expect(section).toContainText(/Vacuumed and analysed \d+ tables/);
	// The tables now show a last vacuum.
	await page.reload();
	const sizes = page.getByRole('table', { name: 'Table sizes' });
	await expect(sizes.getByRole('row', { name: /job_runs/ })).not.toContainText('never');
});

test('says what Prune removes before it runs, then runs it', async ({ page }) => {
	await openDatabasePage(page);
	const section = page.getByRole('region', { name: 'Prune' });
	await section.getByRole('button', { name: 'Prune' }).click();
	const dialog = page.getByRole('alertdialog');
	const rules = dialog.getByRole('list', { name: 'What prune deletes' });
	await expect(rules.getByRole('listitem')).toHaveCount(9);
	await expect(rules).toContainText('Login attempts older than 24 hours');
	await expect(rules).toContainText(
		'Notifications sent, failed or dropped, and logged delivery attempts, older than 30 days'
	);
	await expect(rules).toContainText('Finished job runs older than 30 days');
	await expect(rules).toContainText('Search history older than 30 days');
	await expect(rules).toContainText('Events older than 90 days');
	await expect(rules).toContainText('Daily analytics roll-ups older than 730 days');
	await dialog.getByRole('button', { name: 'Prune' }).click();
	await expect(section.locator('[data-slot="job-progress"]')).toHaveAttribute(
		'data-status',
		'success',
		{
			timeout: 30_000
		}
	);
});

test('makes a backup in the format the page states, lists it with that format and downloads it', async ({
	page
}) => {
	await openDatabasePage(page);
	// "Format: Built-in. pg_dump 18 not found: …" or "Format: pg_dump. Using pg_dump 15.20 …"
	const stated = page.getByText(/^Format: (Built-in|pg_dump)\. /);
	await expect(stated).toBeVisible();
	const format = /^Format: (Built-in|pg_dump)\./.exec(await stated.innerText())![1]!;
	if (process.env.BACKUP_FORMAT === 'builtin') {
		expect(format).toBe('Built-in');
		await expect(stated).toContainText("BACKUP_FORMAT=builtin: using Comradarr's built-in format");
	}
	await page.getByRole('button', { name: 'Back up now' }).click();
	const progress = page
		.locator('[data-slot="job-progress"]')
		.filter({ hasText: /Saved|Dumping|Backing up|Starting|Checking/ });
	await expect(progress.first()).toHaveAttribute('data-status', 'success', { timeout: 60_000 });
	const list = page.getByRole('table', { name: 'Backups' });
	const row = list.getByRole('row', { name: /comradarr-\d{8}-\d{6}-manual\.dump/ }).first();
	await expect(row).toBeVisible();
	await expect(row.getByRole('cell', { name: format, exact: true })).toBeVisible();
	const name = (await row.getByRole('cell').first().innerText()).trim();

	const [download] = await Promise.all([
		page.waitForEvent('download'),
		row.getByRole('link', { name: `Download ${name}` }).click()
	]);
	expect(download.suggestedFilename()).toBe(name);
	await download.saveAs(saved);
	const bytes = readFileSync(saved);
	if (format === 'pg_dump') {
		expect(bytes.subarray(0, 5).toString()).toBe('PGDMP');
	} else {
		const header = JSON.parse(gunzipSync(bytes).toString('utf8').split('\n')[0]!) as {
			format: string;
			tables: { name: string }[];
		};
		expect(header.format).toBe('comradarr-backup');
		expect(header.tables.map((t) => t.name)).toContain('episodes');
	}
	// Done: another backup can be started.
	await expect(page.getByRole('button', { name: 'Back up now' })).toBeEnabled();
});

test('refuses a bad cron in the browser, then saves a schedule with its next runs shown', async ({
	page
}) => {
	await openDatabasePage(page);
	const posts: string[] = [];
	page.on('request', (request) => {
		if (request.method() === 'POST') posts.push(request.url());
	});
	const schedule = page.getByLabel(/^Schedule \(cron/);
	await schedule.fill('61 3 * * *');
	await page.getByRole('button', { name: 'Save schedule' }).click();
	await expect(page.getByText('Not a valid cron expression')).toBeVisible();
	expect(posts.filter((url) => url.includes('?/schedule'))).toEqual([]);

	await schedule.fill('0 4 * * *');
	await expect(page.getByText(/^Next: /)).toBeVisible();
	await page.getByLabel('Scheduled backups to keep').fill('5');
	await page.getByRole('switch', { name: 'Make backups on a schedule' }).click();
	await page.getByRole('button', { name: 'Save schedule' }).click();
	await expect(page.getByText('Scheduled backups are on; the newest 5 are kept.')).toBeVisible();
	await page.reload();
	await expect(schedule).toHaveValue('0 4 * * *');
	await expect(page.getByLabel('Scheduled backups to keep')).toHaveValue('5');
	// Put it back off for the specs after this one.
	await page.getByRole('switch', { name: 'Make backups on a schedule' }).click();
	await page.getByRole('button', { name: 'Save schedule' }).click();
	await expect(page.getByText('Scheduled backups are off.')).toBeVisible();
});

test('exports the configuration as JSON, with the API keys only when asked and then encrypted', async ({
	page
}) => {
	await openDatabasePage(page);
	const name = `Export Sonarr ${Date.now()}`;
	const created = await page.request.post('/api/v1/connectors', {
		headers: ORIGIN,
		data: { type: 'sonarr', name, url: `${SIM}/sonarr`, apiKey: SONARR_KEY }
	});
	expect(created.status()).toBe(201);
	await page.reload();

	const exportLink = page.getByRole('link', { name: 'Export configuration' });
	const [plain] = await Promise.all([page.waitForEvent('download'), exportLink.click()]);
	expect(plain.suggestedFilename()).toMatch(/^comradarr-config-\d{8}-\d{6}\.json$/);
	const plainText = readFileSync(await plain.path(), 'utf8');
	const config = JSON.parse(plainText) as {
		format: string;
		version: number;
		secrets: string;
		connectors: { name: string; url: string; apiKeyEncrypted?: string }[];
		throttleProfiles: { name: string }[];
		settings: { general: { displayName: string } };
	};
	expect(config).toMatchObject({ format: 'comradarr-config', version: 1, secrets: 'none' });
	expect(config.connectors.find((c) => c.name === name)).toMatchObject({ url: `${SIM}/sonarr` });
	expect(config.throttleProfiles.map((p) => p.name)).toContain('Moderate');
	expect(config.settings.general.displayName).toBeTruthy();
	expect(plainText).not.toContain(SONARR_KEY);
	expect(plainText).not.toContain('apiKeyEncrypted');

	await page.getByLabel('Include the *arr API keys, encrypted').check();
	const [withKeys] = await Promise.all([page.waitForEvent('download'), exportLink.click()]);
	const keysText = readFileSync(await withKeys.path(), 'utf8');
	const encrypted = JSON.parse(keysText) as typeof config;
	expect(encrypted.secrets).toBe('encrypted');
	expect(encrypted.connectors.find((c) => c.name === name)?.apiKeyEncrypted).toMatch(/^v1:/);
	expect(keysText).not.toContain(SONARR_KEY);
});

test('imports a configuration file after showing what it will change', async ({ page }) => {
	await openDatabasePage(page);
	const name = `Imported Radarr ${Date.now()}`;
	const file = {
		format: 'comradarr-config',
		version: 1,
		connectors: [{ name, type: 'radarr', url: `${SIM}/radarr` }],
		schedules: [{ connector: name, sweepType: 'gaps', cron: '0 4 * * *', timezone: 'UTC' }]
	};
	await page.getByLabel('Configuration file (.json)').setInputFiles({
		name: 'config.json',
		mimeType: 'application/json',
		buffer: Buffer.from(JSON.stringify(file))
	});
	const preview = page.locator('[data-slot="import-summary"]');
	await expect(preview).toContainText(`Create 1 connectors (${name})`);
	await expect(preview).toContainText('API keys needed');
	await expect(preview).toContainText(
		`Replace the sweep schedules of 1 connectors (${name}) with 1 from the file`
	);
	await page.getByRole('button', { name: 'Import', exact: true }).click();
	await expect(preview).toContainText(`Created 1 connectors (${name})`);
	const list = (await (await page.request.get('/api/v1/connectors')).json()) as {
		name: string;
		enabled: boolean;
	}[];
	expect(list.find((c) => c.name === name)).toMatchObject({ enabled: false });
});

test('answers the database API with JSON errors and never serves a file outside the backups folder', async ({
	page,
	playwright
}) => {
	await logIn(page);
	const api = page.request;
	const missing = await api.get('/api/v1/jobs/99999999');
	expect(missing.status()).toBe(404);
	expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('jobs.not_found');

	// Encoded separators are refused before routing (400, the guard) or by the route (404).
	for (const path of ['..%2Fsecret.key', '..%2F..%2Fsecret.key', '%2e%2e%2fsecret.key']) {
		const response = await api.get(`/api/v1/database/backups/${path}`);
		expect([400, 404], path).toContain(response.status());
		const body = await response.text();
		expect(JSON.parse(body)).toHaveProperty('error.code');
		expect(body).not.toContain('PGDMP');
	}
	for (const path of ['.hidden.dump', 'nope.dump', 'secret.key']) {
		const response = await api.get(`/api/v1/database/backups/${path}`);
		expect(response.status(), path).toBe(404);
		expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
			'backups.not_found'
		);
	}

	const badJob = await api.get('/api/v1/jobs?limit=1000');
	expect(badJob.status()).toBe(400);

	const notADump = await api.post('/api/v1/database/uploads', {
		headers: ORIGIN,
		data: { name: 'x.dump', size: 5 }
	});
	expect(notADump.status()).toBe(201);
	const { id } = (await notADump.json()) as { id: string };
	const chunk = await api.put(`/api/v1/database/uploads/${id}?offset=0`, {
		headers: { ...ORIGIN, 'content-type': 'application/octet-stream' },
		data: Buffer.from('hello')
	});
	expect(chunk.status()).toBe(400);
	expect(((await chunk.json()) as { error: { code: string } }).error.code).toBe(
		'uploads.not_a_dump'
	);

	const runs = (await (await api.get('/api/v1/jobs?job=db.vacuum&limit=5')).json()) as {
		runs: { job: string; status: string }[];
	};
	expect(runs.runs[0]).toMatchObject({ job: 'db.vacuum', status: 'success' });

	const anonymous = await playwright.request.newContext({ baseURL: APP });
	for (const path of [
		'/api/v1/jobs',
		'/api/v1/database',
		'/api/v1/database/backups',
		'/api/v1/config/export'
	]) {
		expect((await anonymous.get(path)).status(), path).toBe(401);
	}
	await anonymous.dispose();
});

test('restores an uploaded backup with the app paused, then asks to sign in again', async ({
	page
}) => {
	await openDatabasePage(page);
	const name = `Made after the backup ${Date.now()}`;
	const created = await page.request.post('/api/v1/connectors', {
		headers: ORIGIN,
		data: { type: 'sonarr', name, url: `${SIM}/sonarr`, apiKey: SONARR_KEY }
	});
	expect(created.status()).toBe(201);

	await page.getByLabel('Backup file').setInputFiles(saved);
	await page.getByRole('button', { name: 'Upload and restore' }).click();
	const dialog = page.getByRole('alertdialog');
	await expect(dialog).toContainText('Everything in the database is replaced by the backup');
	await dialog.getByRole('button', { name: 'Restore' }).click();
	// This session was made after the backup: the restore replaces it, so the page says so.
	await expect(page.getByRole('status').filter({ hasText: 'no longer signed in' })).toBeVisible({
		timeout: 60_000
	});

	await logIn(page);
	const connectors = (await (await page.request.get('/api/v1/connectors')).json()) as {
		name: string;
	}[];
	expect(connectors.map((c) => c.name)).not.toContain(name);
	const runs = (await (await page.request.get('/api/v1/jobs?job=db.restore&limit=1')).json()) as {
		runs: { status: string; message: string }[];
	};
	expect(runs.runs[0]).toMatchObject({ status: 'success' });
	expect(runs.runs[0]!.message).toMatch(/^Restored /);
});
