import { describe, expect, it } from 'vitest';
import { JsonArrayError, jsonArrayElements } from './json-array-stream';

const encode = (text: string) => new TextEncoder().encode(text);

/** Feeds `chunks` to a fresh reader and returns the elements it gave. */
function read(chunks: Uint8Array[]): unknown[] {
	const out: unknown[] = [];
	const reader = jsonArrayElements((value) => out.push(value));
	for (const chunk of chunks) reader.write(chunk);
	reader.end();
	return out;
}

// Strings that hold every byte the reader looks at (quotes, backslashes, brackets, commas),
// multi-byte UTF-8, and every kind of top-level element.
const ELEMENTS: unknown[] = [
	{ title: 'a "quoted" ]} title, \\ with [brackets]', nested: [1, { deep: [null, true] }] },
	'ünïcødé 🎬 \\"',
	-12.5e3,
	0,
	true,
	false,
	null,
	[],
	{},
	['[', '{', '"'],
	''
];

describe('jsonArrayElements', () => {
	const compact = JSON.stringify(ELEMENTS);
	const pretty = JSON.stringify(ELEMENTS, null, 2);

	it.each([
		['compact', compact],
		['pretty-printed', ` \r\n${pretty}\n\t`]
	])('gives the elements of a %s array, whatever the chunk boundaries', (_, text) => {
		const bytes = encode(text);
		for (let a = 0; a <= bytes.length; a++) {
			const b = Math.min(bytes.length, a + 5);
			const got = read([bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)]);
			expect(got, `split at ${a} and ${b}`).toEqual(ELEMENTS);
		}
		const bytewise = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
		expect(read(bytewise)).toEqual(ELEMENTS);
	});

	it('gives each element while the chunk that completes it is written', () => {
		const out: unknown[] = [];
		const reader = jsonArrayElements((value) => out.push(value));
		reader.write(encode('[{"id":1},{"id"'));
		expect(out).toEqual([{ id: 1 }]);
		reader.write(encode(':2}'));
		expect(out).toEqual([{ id: 1 }, { id: 2 }]);
		expect(reader.isEnded).toBe(false);
		reader.write(encode(']'));
		expect(reader.isEnded).toBe(true);
	});

	it('reads an empty array', () => {
		expect(read([encode(' [ ] ')])).toEqual([]);
	});

	it.each([
		['{}', 'not a JSON array at byte 0'],
		['[{}{}]', 'expected , or ] at byte 3'],
		['[1 2]', 'expected , or ] at byte 3'],
		['[1,]', 'unexpected ] at byte 3'],
		['[,1]', 'unexpected , at byte 1'],
		['[1,,2]', 'unexpected , at byte 3'],
		['[}]', 'unexpected } at byte 1'],
		['[{"a" 1}]', 'the element ending at byte 8 is not valid JSON'],
		['[tru]', 'the element ending at byte 4 is not valid JSON'],
		['[{}]]', 'unexpected data after the array at byte 4'],
		['[{"a":1}] x', 'unexpected data after the array at byte 10'],
		['[{"a":1}', 'the array broke off before its closing bracket'],
		['[{"a":"]}', 'the array broke off before its closing bracket'],
		['', 'the array broke off before its closing bracket']
	])('refuses %j: %s', (text, message) => {
		expect(() => read([encode(text)])).toThrow(new JsonArrayError(message));
	});
});
