/**
 * What the built-in backup format needs to know about the app's schemas (`public` and drizzle's
 * `drizzle`), read from PostgreSQL's catalogs: tables with their columns and primary keys in an
 * order that satisfies foreign keys, and the sequences with the column that owns each.
 *
 * Every name returned here comes from the server's own catalogs; `quoteIdent` makes it safe to
 * put into SQL text. Names read from a backup file are only ever compared with these.
 */
import type { SQL } from 'bun';

/** The schemas that make up Comradarr's database. */
export const APP_SCHEMAS = ['public', 'drizzle'] as const;

/** Something that runs tagged-template SQL: the pool, a reserved connection or a transaction. */
export type Sql = Pick<SQL, 'unsafe'> &
	((strings: TemplateStringsArray, ...values: unknown[]) => Promise<unknown>);

export interface CatalogColumn {
	name: string;
	/** `format_type` with the modifier ("timestamp(3) with time zone"), for the file's header. */
	type: string;
	/**
	 * The type by its catalog name, without a modifier (`pg_catalog.timestamptz`,
	 * `pg_catalog.bpchar`, `pg_catalog._int4`): what values are cast to. Not `format_type(…, null)`:
	 * that says `character`, which means char(1) and would cut a char(3) value.
	 */
	baseType: string;
}

export interface CatalogTable {
	schema: string;
	name: string;
	/** Insertable columns in table order (generated columns are left out: they are computed). */
	columns: CatalogColumn[];
	/** Primary key columns in key order; empty for a table without one. */
	primaryKey: string[];
}

export interface CatalogSequence {
	schema: string;
	name: string;
	/** The table and column that own it (serial / identity), or null for a free sequence. */
	owner: { schema: string; table: string; column: string } | null;
}

/** `"name"` with embedded quotes doubled. */
export function quoteIdent(name: string): string {
	return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."table"`. */
export function qualifiedName(table: { schema: string; name: string }): string {
	return `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
}

const SCHEMA_LIST = APP_SCHEMAS.map((s) => `'${s}'`).join(', ');

/**
 * The app's tables, parents before children (a table comes after every table its foreign keys
 * reference; ties by schema and name, so the order is stable). A self-reference does not count;
 * a cycle (none exists in our schema) falls back to name order for the tables in it.
 */
export async function catalogTables(sql: Sql): Promise<CatalogTable[]> {
	const columns = (await sql.unsafe(`
		select n.nspname as schema, c.relname as table, a.attname as name,
			format_type(a.atttypid, a.atttypmod) as type,
			format('%I.%I', tn.nspname, t.typname) as base_type
		from pg_attribute a
		join pg_class c on c.oid = a.attrelid
		join pg_namespace n on n.oid = c.relnamespace
		join pg_type t on t.oid = a.atttypid
		join pg_namespace tn on tn.oid = t.typnamespace
		where c.relkind = 'r' and not c.relispartition and n.nspname in (${SCHEMA_LIST})
			and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
		order by n.nspname, c.relname, a.attnum`)) as {
		schema: string;
		table: string;
		name: string;
		type: string;
		base_type: string;
	}[];
	const keys = (await sql.unsafe(`
		select n.nspname as schema, c.relname as table, a.attname as name
		from pg_index i
		join pg_class c on c.oid = i.indrelid
		join pg_namespace n on n.oid = c.relnamespace
		cross join lateral unnest(i.indkey::int2[]) with ordinality as k(attnum, position)
		join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
		where i.indisprimary and n.nspname in (${SCHEMA_LIST})
		order by n.nspname, c.relname, k.position`)) as { schema: string; table: string; name: string }[];
	const references = (await sql.unsafe(`
		select cn.nspname as schema, c.relname as table, fn.nspname as ref_schema, f.relname as ref_table
		from pg_constraint k
		join pg_class c on c.oid = k.conrelid
		join pg_namespace cn on cn.oid = c.relnamespace
		join pg_class f on f.oid = k.confrelid
		join pg_namespace fn on fn.oid = f.relnamespace
		where k.contype = 'f' and cn.nspname in (${SCHEMA_LIST})`)) as {
		schema: string;
		table: string;
		ref_schema: string;
		ref_table: string;
	}[];

	const tables = new Map<string, CatalogTable>();
	for (const column of columns) {
		const key = `${column.schema}.${column.table}`;
		let table = tables.get(key);
		if (!table) {
			table = { schema: column.schema, name: column.table, columns: [], primaryKey: [] };
			tables.set(key, table);
		}
		table.columns.push({ name: column.name, type: column.type, baseType: column.base_type });
	}
	for (const key of keys) tables.get(`${key.schema}.${key.table}`)?.primaryKey.push(key.name);

	const parents = new Map<string, Set<string>>([...tables.keys()].map((k) => [k, new Set()]));
	for (const ref of references) {
		const child = `${ref.schema}.${ref.table}`;
		const parent = `${ref.ref_schema}.${ref.ref_table}`;
		if (child !== parent && tables.has(parent)) parents.get(child)?.add(parent);
	}
	const ordered: CatalogTable[] = [];
	const placed = new Set<string>();
	const names = [...tables.keys()].sort();
	while (placed.size < names.length) {
		const ready = names.filter(
			(k) => !placed.has(k) && [...(parents.get(k) ?? [])].every((p) => placed.has(p))
		);
		// A cycle: take the first remaining table by name and go on.
		const batch = ready.length > 0 ? ready : [names.find((k) => !placed.has(k))!];
		for (const key of batch) {
			placed.add(key);
			ordered.push(tables.get(key)!);
		}
	}
	return ordered;
}

/** The sequences of the app's schemas and the column owning each. */
export async function catalogSequences(sql: Sql): Promise<CatalogSequence[]> {
	const rows = (await sql.unsafe(`
		select n.nspname as schema, s.relname as name,
			tn.nspname as table_schema, t.relname as table_name, a.attname as column_name
		from pg_class s
		join pg_namespace n on n.oid = s.relnamespace
		left join pg_depend d on d.classid = 'pg_class'::regclass and d.objid = s.oid
			and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')
		left join pg_class t on t.oid = d.refobjid
		left join pg_namespace tn on tn.oid = t.relnamespace
		left join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
		where s.relkind = 'S' and n.nspname in (${SCHEMA_LIST})
		order by n.nspname, s.relname`)) as {
		schema: string;
		name: string;
		table_schema: string | null;
		table_name: string | null;
		column_name: string | null;
	}[];
	return rows.map((r) => ({
		schema: r.schema,
		name: r.name,
		owner:
			r.table_schema && r.table_name && r.column_name
				? { schema: r.table_schema, table: r.table_name, column: r.column_name }
				: null
	}));
}
