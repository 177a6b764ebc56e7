import { describe, expect, it } from 'vitest';
import { CommandSchema, HealthItemSchema, parseList, parseOne } from './schemas';
import { ArrApiError } from './errors';

describe('parsing *arr resources', () => {
	it('names the field and the expected type of a malformed resource without quoting its value', () => {
		const error = (() => {
			try {
				parseOne(
					CommandSchema,
					{ id: 'UPSTREAM-VALUE-9c1', name: 'x', status: 'queued' },
					'command'
				);
			} catch (e) {
				return e;
			}
			return null;
		})();
		expect(error).toBeInstanceOf(ArrApiError);
		expect((error as ArrApiError).detail).toBe('command: id: expected number, received string');
		expect((error as ArrApiError).describe()).not.toContain('UPSTREAM-VALUE-9c1');
	});

	it('keeps only http and https wiki links of health warnings', () => {
		const { items } = parseList(
			HealthItemSchema,
			[
				{ type: 'warning', message: 'a', wikiUrl: 'https://wiki.servarr.com/sonarr/system#x' },
				{ type: 'warning', message: 'b', wikiUrl: 'http://wiki.lan/page' },
				{ type: 'warning', message: 'c', wikiUrl: 'javascript:alert(document.cookie)' },
				{ type: 'warning', message: 'd', wikiUrl: ' JavaScript:alert(1)' },
				{ type: 'warning', message: 'e', wikiUrl: 'data:text/html,<script>alert(1)</script>' },
				{ type: 'warning', message: 'f', wikiUrl: '//evil.example/x' },
				{ type: 'warning', message: 'g', wikiUrl: 'not a url' },
				{ type: 'warning', message: 'h', wikiUrl: { fullUri: 'https://wiki.servarr.com' } }
			],
			'health'
		);
		expect(items.map((item) => [item.message, item.wikiUrl])).toEqual([
			['a', 'https://wiki.servarr.com/sonarr/system#x'],
			['b', 'http://wiki.lan/page'],
			['c', null],
			['d', null],
			['e', null],
			['f', null],
			['g', null],
			['h', null]
		]);
	});
});
