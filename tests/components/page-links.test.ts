import { describe, expect, test } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-svelte';
import PageLinks from '$lib/components/queue/PageLinks.svelte';

const href = (n: number) => `/content?page=${n}`;

describe('PageLinks', () => {
	test('renders nothing when every row fits on one page', async () => {
		await render(PageLinks, { page: 1, pageSize: 50, total: 50, href });
		await expect.element(page.getByRole('navigation')).not.toBeInTheDocument();
	});

	test('names the current page, links its neighbours and elides far pages', async () => {
		await render(PageLinks, { page: 7, pageSize: 50, total: 1000, href, label: 'Content pages' });
		const nav = page.getByRole('navigation', { name: 'Content pages' });
		await expect.element(nav).toBeVisible();
		await expect
			.element(nav.getByRole('link', { name: 'Page 7' }))
			.toHaveAttribute('aria-current', 'page');
		await expect
			.element(nav.getByRole('link', { name: 'Previous page' }))
			.toHaveAttribute('href', href(6));
		await expect
			.element(nav.getByRole('link', { name: 'Next page' }))
			.toHaveAttribute('href', href(8));
		await expect.element(nav.getByRole('link', { name: 'Page 20' })).toBeVisible();
		await expect.element(nav.getByRole('link', { name: 'Page 12' })).not.toBeInTheDocument();
	});

	test('the first page has no previous link, the last no next link', async () => {
		const shown = await render(PageLinks, { page: 1, pageSize: 25, total: 60, href });
		await expect.element(page.getByRole('link', { name: 'Previous page' })).not.toBeInTheDocument();
		await expect.element(page.getByRole('link', { name: 'Next page' })).toBeVisible();
		await shown.rerender({ page: 3 });
		await expect.element(page.getByRole('link', { name: 'Next page' })).not.toBeInTheDocument();
	});

	test('links are reached with Tab in reading order', async () => {
		await render(PageLinks, { page: 2, pageSize: 10, total: 30, href });
		await userEvent.tab();
		await expect.element(page.getByRole('link', { name: 'Previous page' })).toHaveFocus();
		await userEvent.tab();
		await expect.element(page.getByRole('link', { name: 'Page 1' })).toHaveFocus();
	});
});
