/**
 * The dashboard's pieces in a real browser: the completion ring and the sparkline are single
 * images named with their value (first → last for a trend, "no data yet" without one), and the
 * activity feed links each sentence to its item and appends the next page on "Show more",
 * reachable with the keyboard.
 */
import { describe, expect, test } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import ProgressRing from '$lib/components/ui/progress-ring/progress-ring.svelte';
import Sparkline from '$lib/components/ui/sparkline/sparkline.svelte';
import ActivityFeed from '$lib/components/dashboard/ActivityFeed.svelte';
import type { FeedEntry, FeedPage } from '$lib/types/dashboard';

function entry(id: number, text: string, href: FeedEntry['href']): FeedEntry {
	return {
		id,
		type: 'item.acquired',
		category: 'acquisition',
		text,
		href,
		problem: false,
		connectorId: 1,
		createdAt: new Date(Date.now() - id * 60_000).toISOString()
	};
}

describe('ProgressRing', () => {
	test('is one image named by its label, showing the floored percentage', async () => {
		await render(ProgressRing, { value: 0.996, label: 'Sonarr: 99% complete' });
		const ring = page.getByRole('img', { name: 'Sonarr: 99% complete' });
		await expect.element(ring).toBeVisible();
		await expect.element(ring).toHaveAttribute('data-value', '99');
		await expect.element(ring).toHaveTextContent('99%');
	});

	test('an unknown value draws an empty ring and a dash', async () => {
		await render(ProgressRing, { value: null, label: 'Radarr: not known yet' });
		const ring = page.getByRole('img', { name: 'Radarr: not known yet' });
		await expect.element(ring).toHaveTextContent('–');
		await expect.element(ring).toHaveAttribute('data-value', '');
	});
});

describe('Sparkline', () => {
	test('summarises first → last and breaks the line at a day without data', async () => {
		const { container } = await render(Sparkline, {
			values: [0.5, 0.6, null, 0.8, 0.9],
			label: 'Completion, last 30 days'
		});
		await expect
			.element(page.getByRole('img', { name: 'Completion, last 30 days: 50% → 90%' }))
			.toBeVisible();
		expect(container.querySelectorAll('polyline')).toHaveLength(2);
	});

	test('without roll-ups it is a flat dashed line that says so', async () => {
		const { container } = await render(Sparkline, { values: [], label: 'Success rate' });
		await expect
			.element(page.getByRole('img', { name: 'Success rate: no data yet' }))
			.toBeVisible();
		expect(container.querySelectorAll('polyline')).toHaveLength(0);
		expect(container.querySelector('line')?.getAttribute('stroke-dasharray')).toBe('3 3');
	});
});

describe('ActivityFeed', () => {
	test('links each sentence to its item and appends the next page on Show more', async () => {
		const asked: number[] = [];
		const feed: FeedPage = {
			entries: [
				entry(3, 'Acquired Dune (2021) on Radarr (Bluray-1080p).', '/movies/7'),
				entry(2, 'Comradarr 1.0 started.', null)
			],
			nextBefore: 2
		};
		await render(ActivityFeed, {
			feed,
			load: async (before: number) => {
				asked.push(before);
				return {
					entries: [entry(1, 'Acquired The Expanse S01E02 on Sonarr.', '/series/4')],
					nextBefore: null
				};
			}
		});
		const list = page.getByRole('list', { name: 'Recent activity' });
		await expect
			.element(list.getByRole('link', { name: 'Acquired Dune (2021) on Radarr (Bluray-1080p).' }))
			.toHaveAttribute('href', '/movies/7');
		await expect.element(list.getByText('Comradarr 1.0 started.')).toBeVisible();
		await expect
			.element(list.getByRole('link', { name: 'Comradarr 1.0 started.' }))
			.not.toBeInTheDocument();

		// Keyboard: the item link first, then "Show more".
		await userEvent.tab();
		await expect.element(list.getByRole('link', { name: /^Acquired Dune/ })).toHaveFocus();
		await userEvent.tab();
		const more = page.getByRole('button', { name: 'Show more' });
		await expect.element(more).toHaveFocus();
		await userEvent.keyboard('{Enter}');
		await expect
			.element(list.getByRole('link', { name: 'Acquired The Expanse S01E02 on Sonarr.' }))
			.toHaveAttribute('href', '/series/4');
		expect(asked).toEqual([2]);
		await expect.element(more).not.toBeInTheDocument();
	});

	test('says so when nothing has happened yet', async () => {
		await render(ActivityFeed, { feed: { entries: [], nextBefore: null } });
		await expect.element(page.getByText(/^Nothing has happened yet/)).toBeVisible();
		await expect.element(page.getByRole('button', { name: 'Show more' })).not.toBeInTheDocument();
	});
});
