import { describe, expect, test } from 'vitest';
import { page } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import SeriesChart from '$lib/components/analytics/SeriesChart.svelte';
import { formatNumber } from '$lib/components/analytics/format';
import type { AnalyticsDayPoint } from '$lib/types/analytics';

function day(date: string, searchesSent: number, itemsSearched: number): AnalyticsDayPoint {
	return {
		day: date,
		gapsFound: 0,
		upgradesFound: 0,
		searchesSent,
		itemsSearched,
		grabs: 0,
		searchesFinished: 0,
		successRate: null,
		acquisitions: 0,
		upgrades: 0,
		exhausted: 0,
		queueDepth: null,
		gapsOpen: null,
		completion: null
	};
}

const props = {
	title: 'Search volume',
	description: 'Search commands sent and the items they searched.',
	config: {
		searchesSent: { label: 'Searches sent' },
		itemsSearched: { label: 'Items searched' }
	},
	format: formatNumber,
	summary: 'total' as const,
	exportHref: '/api/v1/analytics/export?from=2026-12-01&to=2026-12-03&table=search-volume'
};

describe('SeriesChart', () => {
	test('is a figure named by its title whose chart says the totals', async () => {
		await render(SeriesChart, {
			...props,
			days: [day('2026-12-01', 3, 10), day('2026-12-02', 4, 5), day('2026-12-03', 5, 1)]
		});
		await expect.element(page.getByRole('figure', { name: 'Search volume' })).toBeVisible();
		await expect
			.element(
				page.getByRole('img', {
					name: /^Search volume: Searches sent: 12 in total; Items searched: 16 in total/
				})
			)
			.toBeInTheDocument();
		// The legend names both series.
		await expect
			.element(page.getByText('Items searched', { exact: true }).first())
			.toBeInTheDocument();
	});

	test('carries every day in a visually hidden table for screen readers', async () => {
		await render(SeriesChart, {
			...props,
			days: [day('2026-12-01', 3, 10), day('2026-12-02', 4, 5)]
		});
		const table = page.getByRole('table', { name: 'Search volume per day' });
		await expect.element(table).toBeInTheDocument();
		await expect
			.element(table.getByRole('columnheader', { name: 'Searches sent' }))
			.toBeInTheDocument();
		expect(table.getByRole('row').elements()).toHaveLength(3);
		await expect.element(table.getByRole('cell', { name: '10' })).toBeInTheDocument();
	});

	test('links its CSV download by an accessible name', async () => {
		await render(SeriesChart, { ...props, days: [day('2026-12-01', 1, 1)] });
		const link = page.getByRole('link', { name: 'Download search volume as CSV' });
		await expect.element(link).toHaveAttribute('href', props.exportHref);
		await expect.element(link).toHaveAttribute('download');
	});

	test('says so when the range has no data', async () => {
		await render(SeriesChart, { ...props, days: [] });
		await expect.element(page.getByText('No data in this range.')).toBeVisible();
		await expect.element(page.getByRole('img')).not.toBeInTheDocument();
	});
});
