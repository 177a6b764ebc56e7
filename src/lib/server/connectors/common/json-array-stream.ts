/**
 * The elements of a JSON array that arrives in chunks, one element at a time, so a library of any
 * size is never held whole (issue 8, "Memory stays flat").
 *
 * Division of work: this module only finds where each top-level element starts and ends. Inside
 * an element it looks at four kinds of byte: `"` and `\` (to know what is inside a string), and
 * `{ [` / `} ]` (nesting). Each element's bytes then go to `JSON.parse`, the engine's native
 * parser, which builds and validates the value. Between the elements this module checks the array
 * itself: a `[` first, a comma between two elements, nothing but whitespace after the `]`.
 *
 * Why not `@streamparser/json` (issue 8 names it): its `JSONParser` builds every value token by
 * token in JavaScript, and its `Tokenizer`, even when only the token positions are wanted, decodes
 * every string it meets. On a 94 MB Radarr `/movie` body (50,000 movies, this 2-core machine) the
 * parser takes about 4×, and the tokenizer alone about 2×, the time of this whole reader; that
 * kept a no-change Radarr sync over its 5 s target. `bun tests/bench/json-array.ts` measures all
 * of them; figures in `tests/bench/RESULTS.md`, "Streaming a JSON array".
 */

/** Thrown for input that is not one JSON array (the message says where it went wrong). */
export class JsonArrayError extends Error {
	override name = 'JsonArrayError';
}

/** A JSON array read chunk by chunk: see {@link jsonArrayElements}. */
export interface JsonArrayReader {
	/**
	 * Reads the next chunk of UTF-8 bytes and calls `onElement` for every element it completes.
	 * Keeps references to the chunk (no copy) while an element spans it.
	 * @throws JsonArrayError when the bytes are not (the next part of) one JSON array.
	 */
	write(chunk: Uint8Array): void;
	/** @throws JsonArrayError when the array has not been closed. */
	end(): void;
	/** True once the array's closing `]` was read. */
	readonly isEnded: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const isSpace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/** Where the reader is, between elements. */
const enum At {
	/** Before the array's `[`. */
	Start,
	/** Right after `[`: an element or `]`. */
	First,
	/** After a comma: an element. */
	Value,
	/** After an element: `,` or `]`. */
	Separator,
	/** After the `]`. */
	Done
}

/** What the element being read is. */
const enum Kind {
	None,
	/** An object or array: ends when its nesting closes. */
	Nested,
	/** A string: ends at its closing quote. */
	String,
	/** A number, `true`, `false` or `null`: ends at whitespace, `,` or `]`. */
	Bare
}

/**
 * A reader that calls `onElement` with each top-level element of the array, in order, while its
 * `write` runs. Memory: the element being read (its bytes, then its value), never the array.
 */
export function jsonArrayElements(onElement: (value: unknown) => void): JsonArrayReader {
	const decoder = new TextDecoder();
	let at = At.Start;
	let kind = Kind.None;
	/** Nesting depth inside the current element (Kind.Nested). */
	let depth = 0;
	let inString = false;
	let escaped = false;
	/** Absolute offset of the current chunk's first byte. */
	let base = 0;
	/** Offset in the current chunk where the element started, or 0 when it started earlier. */
	let start = 0;
	/** The element's bytes from earlier chunks. */
	let carry: Uint8Array[] = [];

	const emit = (chunk: Uint8Array, end: number): void => {
		let bytes: Uint8Array;
		if (carry.length === 0) {
			bytes = chunk.subarray(start, end);
		} else {
			const parts = [...carry, chunk.subarray(0, end)];
			bytes = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
			let offset = 0;
			for (const part of parts) {
				bytes.set(part, offset);
				offset += part.length;
			}
			carry = [];
		}
		kind = Kind.None;
		at = At.Separator;
		let value: unknown;
		try {
			value = JSON.parse(decoder.decode(bytes));
		} catch (cause) {
			throw new JsonArrayError(`the element ending at byte ${base + end} is not valid JSON`, {
				cause
			});
		}
		onElement(value);
	};

	const fail = (message: string, i: number): never => {
		throw new JsonArrayError(`${message} at byte ${base + i}`);
	};

	return {
		write(chunk) {
			const n = chunk.length;
			let i = 0;
			while (i < n) {
				if (kind === Kind.Nested || kind === Kind.String) {
					// The hot loop: most of the body is inside elements.
					for (; i < n; i++) {
						const b = chunk[i]!;
						if (inString) {
							if (escaped) escaped = false;
							else if (b === BACKSLASH) escaped = true;
							else if (b === QUOTE) {
								inString = false;
								if (kind === Kind.String) break;
							}
						} else if (b === QUOTE) inString = true;
						else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
						else if ((b === CLOSE_BRACE || b === CLOSE_BRACKET) && --depth === 0) break;
					}
					if (i === n) break;
					emit(chunk, ++i);
					continue;
				}
				const b = chunk[i]!;
				if (kind === Kind.Bare) {
					if (!isSpace(b) && b !== COMMA && b !== CLOSE_BRACKET) {
						i++;
						continue;
					}
					emit(chunk, i); // the byte that ended it is read again below, between elements
					continue;
				}
				if (isSpace(b)) {
					i++;
					continue;
				}
				switch (at) {
					case At.Start:
						if (b !== OPEN_BRACKET) fail('not a JSON array', i);
						at = At.First;
						break;
					case At.Separator:
						if (b === COMMA) at = At.Value;
						else if (b === CLOSE_BRACKET) at = At.Done;
						else fail('expected , or ]', i);
						break;
					case At.Done:
						fail('unexpected data after the array', i);
						break;
					case At.First:
					case At.Value:
						if (b === CLOSE_BRACKET && at === At.First) {
							at = At.Done;
						} else if (b === COMMA || b === CLOSE_BRACKET || b === CLOSE_BRACE) {
							fail(`unexpected ${String.fromCharCode(b)}`, i);
						} else {
							start = i;
							if (b === OPEN_BRACE || b === OPEN_BRACKET) {
								kind = Kind.Nested;
								depth = 1;
							} else if (b === QUOTE) {
								kind = Kind.String;
								inString = true;
							} else {
								kind = Kind.Bare;
							}
						}
						break;
				}
				i++;
			}
			// An element continues into the next chunk: keep what this chunk holds of it.
			if (kind !== Kind.None) {
				carry.push(carry.length === 0 ? chunk.subarray(start) : chunk);
			}
			base += n;
		},
		end() {
			if (at !== At.Done) {
				throw new JsonArrayError('the array broke off before its closing bracket');
			}
		},
		get isEnded() {
			return at === At.Done;
		}
	};
}
