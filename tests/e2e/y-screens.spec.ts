/**
 * Screenshots of the dashboard, content browser and analytics in light and dark mode at desktop
 * and phone width (issue 11 "Done when"), written to `.test-results/screenshots/` and attached to
 * the report, with a check that no page scrolls sideways: the document is never wider than the
 * window, and nothing inside the main column sticks out past its right edge (a wide table must
 * scroll inside its own container).
 *
 * Adds and syncs a Radarr of the simulator when no connector exists yet, so it also runs alone.
 */
import { mkdir } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { APP, RADARR_KEY, SIM, logIn, openPage } from './helpers';

const PAGES = ['/dashboard', '/content', '/analytics'] as const;
const VIEWPORTS = [
	{ name: 'desktop', width: 1440, height: 900 },
	{ name: 'phone', width: 390, height: 844 }
] as const;
const SCHEMES = ['light', 'dark'] as const;
const DIR = '.test-results/screenshots';

/** Elements of `main` whose right edge is past the main column's (1 px of rounding allowed). */
function overflowing(page: Page): Promise<string[]> {
	return page.evaluate(() => {
		const main = document.querySelector('main');
		if (!main) return ['no <main>'];
		const edge = main.getBoundingClientRect().right + 1;
		const out: string[] = [];
		for (const el of main.querySelectorAll<HTMLElement>('*')) {
			const box = el.getBoundingClientRect();
			if (box.width === 0 || box.right <= edge) continue;
			// Inside a scroll container that is itself within the column: scrolled, not overflowing.
			// The nearest clipping ancestor may itself sit in the scrolled part (an <svg>, a progress
			// track in a wide table row), so look on up to one that ends within the column.
			let clipped = false;
			for (let p = el.parentElement; p && p !== main; p = p.parentElement) {
				const style = getComputedStyle(p);
				if (
					/(auto|scroll|hidden|clip)/.test(style.overflowX) &&
					p.getBoundingClientRect().right <= edge
				) {
					clipped = true;
					break;
				}
			}
			if (!clipped) out.push(`${el.tagName.toLowerCase()}.${el.className}`.slice(0, 120));
		}
		return out.slice(0, 5);
	});
}

/**
 * Theme-border elements (`border-border`, children of `divide-border`) whose border is bright
 * (max RGB channel ≥ 128): in dark mode that is the fallback to the text colour an invalid
 * border colour gives.
 */
function brightThemeBorders(page: Page): Promise<string[]> {
	return page.evaluate(() => {
		const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
		if (!ctx) return ['no canvas'];
		const out: string[] = [];
		const els = [
			...document.querySelectorAll<HTMLElement>('.border-border'),
			...[...document.querySelectorAll<HTMLElement>('.divide-border')].flatMap(
				(el) => [...el.children].slice(1) as HTMLElement[]
			)
		];
		for (const el of els) {
			const style = getComputedStyle(el);
			const side = el.parentElement?.classList.contains('divide-border') ? 'Top' : 'Right';
			if (parseFloat(style[`border${side}Width`]) === 0) continue;
			ctx.clearRect(0, 0, 1, 1);
			ctx.fillStyle = '#000';
			ctx.fillRect(0, 0, 1, 1);
			ctx.fillStyle = style[`border${side}Color`];
			ctx.fillRect(0, 0, 1, 1);
			const [r = 0, g = 0, b = 0] = ctx.getImageData(0, 0, 1, 1).data;
			if (Math.max(r, g, b) >= 128) {
				out.push(`${el.tagName.toLowerCase()} ${style[`border${side}Color`]}`);
			}
		}
		return out.slice(0, 5);
	});
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
	const page = await browser.newPage();
	await logIn(page);
	const api = page.request;
	const list = (await (await api.get('/api/v1/connectors')).json()) as unknown[];
	if (list.length === 0) {
		const created = await api.post('/api/v1/connectors', {
			headers: { Origin: APP },
			data: { type: 'radarr', name: 'Screens Radarr', url: `${SIM}/radarr`, apiKey: RADARR_KEY }
		});
		expect(created.status()).toBe(201);
		const { id } = (await created.json()) as { id: number };
		const sync = await api.post(`/api/v1/connectors/${id}/sync`, { headers: { Origin: APP } });
		expect(sync.status()).toBe(202);
		const job = ((await sync.json()) as { job: { id: number } }).job.id;
		await expect
			.poll(
				async () =>
					((await (await api.get(`/api/v1/jobs/${job}`)).json()) as { status: string }).status,
				{
					timeout: 60_000
				}
			)
			.toBe('success');
	}
	await page.close();
	await mkdir(DIR, { recursive: true });
});

for (const viewport of VIEWPORTS) {
	for (const scheme of SCHEMES) {
		test(`dashboard, content and analytics: ${viewport.name}, ${scheme}`, async ({
			page
		}, info) => {
			await page.setViewportSize({ width: viewport.width, height: viewport.height });
			await page.emulateMedia({ colorScheme: scheme });
			await logIn(page);
			for (const path of PAGES) {
				await openPage(page, path);
				await expect(page.locator('html')).toHaveClass(
					scheme === 'dark' ? /\bdark\b/ : /^(?!.*\bdark\b)/
				);
				await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
				const file = `${DIR}/${path.slice(1)}-${scheme}-${viewport.name}.png`;
				await page.screenshot({ path: file, fullPage: true });
				await info.attach(`${path.slice(1)} ${scheme} ${viewport.name}`, {
					path: file,
					contentType: 'image/png'
				});
				const width = await page.evaluate(() => ({
					doc: document.documentElement.scrollWidth,
					win: window.innerWidth
				}));
				expect(width.doc, `${path} scrolls sideways`).toBeLessThanOrEqual(width.win);
				expect(await overflowing(page), `${path}: elements past the main column`).toEqual([]);
				if (scheme === 'dark') {
					expect(await brightThemeBorders(page), `${path}: bright borders in dark mode`).toEqual(
						[]
					);
				}
			}
		});
	}
}
