import { describe, expect, it } from 'vitest';
import { filterValues, isFiltered, logsApiQuery } from './logs-query';
import { levelName } from '$lib/types/logs';

describe('the Logs page query', () => {
	it('keeps exactly the level, module and text filters of a URL, trimmed', () => {
		const values = filterValues(
			new URLSearchParams('level=warn&module=%20sync%20&q=timeout&after=5&page=2')
		);
		expect(values).toEqual({ level: 'warn', module: 'sync', q: 'timeout' });
		expect(isFiltered(values)).toBe(true);
		expect(isFiltered(filterValues(new URLSearchParams('after=5')))).toBe(false);
	});

	it('asks the API for the same filters plus the tail or page position', () => {
		const values = { level: 'error', module: '', q: 'a b' };
		expect(logsApiQuery(values, { after: 120, limit: 200 })).toBe(
			'level=error&q=a+b&after=120&limit=200'
		);
		expect(logsApiQuery({ level: '', module: '', q: '' })).toBe('');
	});
});

describe('levelName', () => {
	it("names pino's levels and a custom number by the level below it", () => {
		expect([10, 20, 30, 40, 50, 60].map(levelName)).toEqual([
			'trace',
			'debug',
			'info',
			'warn',
			'error',
			'fatal'
		]);
		expect(levelName(35)).toBe('info');
		expect(levelName(5)).toBe('trace');
	});
});
