import { describe, expect, test } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import type { ContentRow } from '$lib/types/content';
import ContentTableHarness from './harness/ContentTableHarness.svelte';

function row(id: number, title: string, overrides: Partial<ContentRow> = {}): ContentRow {
	return {
		kind: 'series',
		id,
		connector: { id: 1, name: 'Sonarr', type: 'sonarr' },
		title,
		year: 2020,
		monitored: true,
		status: 'continuing',
		qualityProfile: 'HD-1080p',
		tags: [],
		quality: null,
		customFormatScore: null,
		files: { have: 3, total: 4 },
		search: {
			gaps: 1,
			upgrades: 0,
			queued: 0,
			searching: 0,
			cooldown: 0,
			exhausted: 0,
			lastSearchedAt: null,
			nextEligibleAt: null
		},
		added: null,
		...overrides
	};
}

const rows = [
	row(1, 'Andor'),
	row(2, 'Blue Eye Samurai', { search: { ...row(0, '').search, exhausted: 2 } }),
	row(9, 'Dune', { kind: 'movie', files: { have: 0, total: 1 } })
];

describe('ContentTable (data table)', () => {
	test('rows link to their series or movie page and show files and search state', async () => {
		await render(ContentTableHarness, { rows, sort: 'title', dir: 'asc' });
		await expect
			.element(page.getByRole('link', { name: 'Andor' }))
			.toHaveAttribute('href', '/series/1');
		await expect
			.element(page.getByRole('link', { name: 'Dune' }))
			.toHaveAttribute('href', '/movies/9');
		await expect
			.element(page.getByRole('meter', { name: 'Andor: 75% of files' }))
			.toHaveAttribute('aria-valuenow', '75');
		await expect.element(page.getByText('Exhausted 2')).toBeVisible();
	});

	test('the sorted column is announced and a header press asks the server for the other order', async () => {
		await render(ContentTableHarness, { rows, sort: 'title', dir: 'asc' });
		const title = page.getByRole('columnheader', { name: 'Title' });
		await expect.element(title).toHaveAttribute('aria-sort', 'ascending');
		await expect
			.element(page.getByRole('columnheader', { name: 'Year' }))
			.not.toHaveAttribute('aria-sort');
		await page.getByRole('button', { name: 'Year' }).click();
		await expect.element(page.getByTestId('sorts')).toHaveTextContent('year');
		// Unsortable columns offer no button.
		await expect.element(page.getByRole('button', { name: 'Files' })).not.toBeInTheDocument();
	});

	test('rows are selected with the keyboard; the page checkbox selects and clears the page', async () => {
		await render(ContentTableHarness, { rows, sort: 'title', dir: 'asc' });
		const andor = page.getByRole('checkbox', { name: 'Select Andor' });
		(andor.element() as HTMLElement).focus();
		await userEvent.keyboard(' ');
		await expect.element(andor).toBeChecked();
		await expect.element(page.getByTestId('selection')).toHaveTextContent('series:1');
		const all = page.getByRole('checkbox', { name: 'Select every row on this page' });
		await expect.element(all).toHaveAttribute('aria-checked', 'mixed');
		await all.click();
		await expect
			.element(page.getByTestId('selection'))
			.toHaveTextContent('series:1,series:2,movie:9');
		await all.click();
		await expect.element(page.getByTestId('selection')).toHaveTextContent('none');
	});
});
