/**
 * Rules for text typed by users that the server stores or sends on, shared by the server schemas
 * and any client-side validation (no server imports here).
 *
 * Control characters (Unicode category Cc: U+0000–U+001F, U+007F–U+009F) have no place in a name,
 * a username, a URL or an API key; PostgreSQL refuses U+0000 in text outright ("invalid byte
 * sequence for encoding UTF8: 0x00"), which surfaced as a 500 before these rules.
 */
import * as v from 'valibot';

const CONTROL_CHARACTER = /\p{Cc}/u;

/** Whether `text` contains a control character (tab, line break, NUL, DEL…). */
export function hasControlCharacter(text: string): boolean {
	return CONTROL_CHARACTER.test(text);
}

/**
 * A valibot check refusing control characters, e.g.
 * `v.pipe(v.string(), v.trim(), noControlCharacters('Name'))`.
 * @param label what the field is called, for the message ("Name must not contain …").
 */
export function noControlCharacters(label: string) {
	return v.check(
		(text: string) => !hasControlCharacter(text),
		`${label} must not contain control characters (tabs, line breaks, NUL…).`
	);
}
