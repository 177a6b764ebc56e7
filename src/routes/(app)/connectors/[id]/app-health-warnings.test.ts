import { describe, expect, it } from 'vitest';
import { render } from 'svelte/server';
import AppHealthWarnings from './app-health-warnings.svelte';

describe('the app health warnings list', () => {
	it('links only http(s) wiki pages, even for rows stored before the connector layer checked', () => {
		const { body } = render(AppHealthWarnings, {
			props: {
				items: [
					{
						source: 'IndexerStatusCheck',
						type: 'warning',
						message: 'Indexers unavailable',
						wikiUrl: 'https://wiki.servarr.com/sonarr/system#indexers'
					},
					{
						source: 'Evil',
						type: 'error',
						message: 'Click the fix',
						wikiUrl: 'javascript:alert(document.cookie)'
					}
				]
			}
		});
		expect(body).toContain('href="https://wiki.servarr.com/sonarr/system#indexers"');
		expect(body).toContain('Click the fix');
		expect(body).not.toContain('javascript:');
		expect(body.match(/How to fix this/g)).toHaveLength(1);
	});
});
