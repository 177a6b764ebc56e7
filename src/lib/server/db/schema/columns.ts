/**
 * Column helpers shared by every schema file.
 *
 * `jsonb`: drizzle-orm 0.45's built-in jsonb() double-encodes values on Bun's SQL client (every
 * value lands as a JSON *string*; STACK.md trap 1). This custom type sends JSON text with a
 * server-side `::text::jsonb` cast and passes the driver's parsed value through unchanged.
 * `timestamptz`: timestamps with time zone and millisecond precision round-trip exactly (trap 3).
 */
import { customType, timestamp } from 'drizzle-orm/pg-core';
import { sql, type SQL } from 'drizzle-orm';

export const jsonb = <T>(name: string) =>
	customType<{ data: T; driverData: unknown }>({
		dataType() {
			return 'jsonb';
		},
		toDriver(value: T): SQL {
			return sql`${JSON.stringify(value)}::text::jsonb`;
		},
		fromDriver(value: unknown): T {
			// Bun's client already parses jsonb; a string here would mean a double-encoded value.
			return (typeof value === 'string' ? JSON.parse(value) : value) as T;
		}
	})(name);

/**
 * A value as one jsonb query parameter (JSON text cast server-side, as `jsonb` does): lists of
 * ids or rows in a single parameter, whatever their length.
 */
export function jsonParam(value: unknown): SQL {
	return sql`${JSON.stringify(value)}::text::jsonb`;
}

export const timestamptz = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });
