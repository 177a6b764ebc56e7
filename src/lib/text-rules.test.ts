import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { hasControlCharacter, noControlCharacters } from './text-rules';

describe('control characters in typed text', () => {
	it.each([
		'a\u0000b',
		'tab\there',
		'line\nbreak',
		'cr\r',
		'del\u007f',
		'c1\u0085',
		'esc\u001b[31m'
	])('finds one in %j', (text) => {
		expect(hasControlCharacter(text)).toBe(true);
	});

	it.each(['Sonarr 4K', 'Ünïcödé names', 'emoji 📺', 'dots.and-dashes_ok@home'])(
		'finds none in %j',
		(text) => {
			expect(hasControlCharacter(text)).toBe(false);
		}
	);

	it('refuses them with a message naming the field', () => {
		const schema = v.pipe(v.string(), noControlCharacters('Name'));
		const result = v.safeParse(schema, 'a\u0000b');
		expect(result.success).toBe(false);
		expect(result.issues?.[0]?.message).toBe(
			'Name must not contain control characters (tabs, line breaks, NUL…).'
		);
	});
});
