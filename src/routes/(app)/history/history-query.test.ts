import { describe, expect, it } from 'vitest';
import { filterValues, historySearch, isFiltered } from './history-query';

describe('the History page query', () => {
	it('reads the filters of a URL and drops what is not one', () => {
		const values = filterValues(
			new URLSearchParams('outcome=failed&q=%20Show%20&page=3&pageSize=9&evil=1')
		);
		expect(values).toEqual({
			connectorId: '',
			outcome: 'failed',
			searchType: '',
			command: '',
			from: '',
			to: '',
			q: 'Show'
		});
		expect(isFiltered(values)).toBe(true);
		expect(isFiltered(filterValues(new URLSearchParams('page=2')))).toBe(false);
	});

	it('writes the same filters back, for page links and the CSV export', () => {
		const values = filterValues(new URLSearchParams('connectorId=2&from=2026-12-01&q=a b'));
		expect(historySearch(values)).toBe('?connectorId=2&from=2026-12-01&q=a+b');
		expect(historySearch(values, 3)).toBe('?connectorId=2&from=2026-12-01&q=a+b&page=3');
		expect(historySearch(filterValues(new URLSearchParams('')))).toBe('');
	});
});
