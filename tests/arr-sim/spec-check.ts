/**
 * A tiny OpenAPI 3 response checker for the simulator's own tests.
 *
 * Loads `../shared/arr-api/<app>/openapi.json` (outside the repository; never copied into it),
 * resolves `$ref`s and checks a JSON value against a component schema:
 * - types (`integer` incl. int32/int64 range, `number`, `boolean`, `string`, `array`, `object`),
 *   enum membership, `date-time` as `yyyy-MM-ddTHH:mm:ssZ` and `date-span` as a TimeSpan string;
 * - no property outside the schema (`additionalProperties: false`), except inside the polymorphic
 *   `Command` body, which carries each command's own properties;
 * - wire rules: no `null` anywhere (the apps omit nulls), and "required-ness" as the apps
 *   serialize it: every non-nullable scalar or enum property must be present, because .NET value
 *   types are never null. `id` is exempt (RestResource omits a default id).
 * - spec-vs-wire exceptions documented in ../shared/arr-api/README.md §3 and §6 (the Whisparr
 *   specs describe .NET structs as objects): `HttpUri` and `Version` are strings, `TimeSpan` is a
 *   `[d.]hh:mm:ss[.fffffff]` string and `DateOnly` a `yyyy-MM-dd` string.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The apps whose specs can be loaded (folder names under ../shared/arr-api). */
export type SpecApp = 'sonarr' | 'radarr' | 'whisparr-v2' | 'whisparr-v3';

interface Schema {
	$ref?: string;
	type?: string;
	format?: string;
	nullable?: boolean;
	enum?: unknown[];
	items?: Schema;
	properties?: Record<string, Schema>;
	additionalProperties?: boolean | Schema;
	uniqueItems?: boolean;
}

interface OpenApiDoc {
	paths: Record<string, Record<string, unknown>>;
	components: { schemas: Record<string, Schema> };
}

/** Loaded spec with validation helpers. */
export interface SpecChecker {
	/** File the spec came from. */
	file: string;
	/** Errors of `value` against component schema `schemaName` (`[]` = valid). */
	validate(value: unknown, schemaName: string): string[];
	/** Same for an array whose items are `schemaName`. */
	validateList(value: unknown, schemaName: string): string[];
	/** Whether the spec documents `method` on `path` (e.g. 'GET', '/api/v3/series/12'). */
	hasOperation(method: string, path: string): boolean;
}

/** Where the shared specs live, relative to this file (`/work/shared/arr-api` in this checkout). */
export const SPEC_ROOT_URL = new URL('../../../shared/arr-api/', import.meta.url);

/** Schemas that carry subclass properties on the wire. */
const POLYMORPHIC = new Set(['Command']);
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const TIME_SPAN = /^(\d+\.)?\d{2}:\d{2}:\d{2}(\.\d{1,7})?$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const VERSION = /^\d+(\.\d+){1,3}$/;

/**
 * Loads the spec of `app`.
 * @returns null when ../shared is absent (callers skip with a message)
 */
export function loadSpec(app: SpecApp): SpecChecker | null {
	const file = fileURLToPath(new URL(`${app}/openapi.json`, SPEC_ROOT_URL));
	if (!existsSync(file)) {
		return null;
	}
	const doc = JSON.parse(readFileSync(file, 'utf8')) as OpenApiDoc;
	const schemas = doc.components.schemas;
	const pathPatterns = Object.entries(doc.paths).map(([p, ops]) => ({
		regex: new RegExp(
			`^${p.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`,
			'i'
		),
		methods: new Set(Object.keys(ops).map((m) => m.toUpperCase()))
	}));

	const resolve = (s: Schema): { schema: Schema; name: string | null } => {
		let name: string | null = null;
		let cur = s;
		for (let depth = 0; cur.$ref && depth < 20; depth++) {
			name = cur.$ref.split('/').pop() ?? null;
			const next = name ? schemas[name] : undefined;
			if (!next) {
				throw new Error(`unresolved $ref ${cur.$ref}`);
			}
			cur = next;
		}
		return { schema: cur, name };
	};

	/** Whether .NET always writes this property (non-nullable value type or enum). */
	const alwaysPresent = (propName: string, prop: Schema): boolean => {
		if (propName === 'id') {
			return false;
		}
		const { schema } = resolve(prop);
		if (prop.nullable === true || schema.nullable === true) {
			return false;
		}
		if (schema.enum) {
			return true;
		}
		return (
			schema.type === 'integer' ||
			schema.type === 'number' ||
			schema.type === 'boolean' ||
			(schema.type === 'string' && schema.format === 'date-time')
		);
	};

	const check = (value: unknown, s: Schema, path: string, errors: string[]): void => {
		const { schema, name } = resolve(s);
		if (value === null) {
			errors.push(`${path}: null on the wire (the apps omit null properties)`);
			return;
		}
		if (name === 'HttpUri') {
			if (typeof value !== 'string') {
				errors.push(`${path}: HttpUri must be a string on the wire`);
			}
			return;
		}
		if (name === 'Version') {
			if (typeof value !== 'string' || !VERSION.test(value)) {
				errors.push(
					`${path}: Version must be a string like '8.0.12' on the wire, got ${JSON.stringify(value)}`
				);
			}
			return;
		}
		if (name === 'TimeSpan') {
			if (typeof value !== 'string' || !TIME_SPAN.test(value)) {
				errors.push(
					`${path}: TimeSpan must be a [d.]hh:mm:ss[.fffffff] string on the wire, got ${JSON.stringify(value)}`
				);
			}
			return;
		}
		if (name === 'DateOnly') {
			if (typeof value !== 'string' || !DATE_ONLY.test(value)) {
				errors.push(
					`${path}: DateOnly must be a yyyy-MM-dd string on the wire, got ${JSON.stringify(value)}`
				);
			}
			return;
		}
		if (schema.enum) {
			if (!schema.enum.includes(value)) {
				errors.push(
					`${path}: ${JSON.stringify(value)} is not one of ${schema.enum.join('|')}${name ? ` (${name})` : ''}`
				);
			}
			return;
		}
		switch (schema.type) {
			case 'integer': {
				if (typeof value !== 'number' || !Number.isInteger(value)) {
					errors.push(`${path}: expected integer, got ${JSON.stringify(value)}`);
				} else if (schema.format === 'int32' && (value > 2_147_483_647 || value < -2_147_483_648)) {
					errors.push(`${path}: ${value} overflows int32`);
				} else if (!Number.isSafeInteger(value)) {
					errors.push(`${path}: ${value} is not a safe integer`);
				}
				return;
			}
			case 'number':
				if (typeof value !== 'number' || !Number.isFinite(value)) {
					errors.push(`${path}: expected number, got ${JSON.stringify(value)}`);
				}
				return;
			case 'boolean':
				if (typeof value !== 'boolean') {
					errors.push(`${path}: expected boolean, got ${JSON.stringify(value)}`);
				}
				return;
			case 'string':
				if (typeof value !== 'string') {
					errors.push(`${path}: expected string, got ${JSON.stringify(value)}`);
				} else if (schema.format === 'date-time' && !DATE_TIME.test(value)) {
					errors.push(`${path}: date-time '${value}' is not yyyy-MM-ddTHH:mm:ssZ`);
				} else if (schema.format === 'date-span' && !TIME_SPAN.test(value)) {
					errors.push(`${path}: TimeSpan '${value}' is not [d.]hh:mm:ss[.fffffff]`);
				}
				return;
			case 'array': {
				if (!Array.isArray(value)) {
					errors.push(`${path}: expected array, got ${typeof value}`);
					return;
				}
				if (
					schema.uniqueItems &&
					new Set(value.map((v) => JSON.stringify(v))).size !== value.length
				) {
					errors.push(`${path}: items are not unique`);
				}
				const items = schema.items;
				if (items) {
					value.forEach((v, i) => check(v, items, `${path}[${i}]`, errors));
				}
				return;
			}
			default: {
				if (typeof value !== 'object' || Array.isArray(value)) {
					errors.push(
						`${path}: expected object${name ? ` ${name}` : ''}, got ${Array.isArray(value) ? 'array' : typeof value}`
					);
					return;
				}
				const obj = value as Record<string, unknown>;
				const props = schema.properties ?? {};
				for (const [key, v] of Object.entries(obj)) {
					const prop = props[key];
					if (prop) {
						check(v, prop, `${path}.${key}`, errors);
					} else if (schema.additionalProperties === false && !(name && POLYMORPHIC.has(name))) {
						errors.push(`${path}.${key}: not a property of ${name ?? 'the schema'}`);
					}
				}
				for (const [key, prop] of Object.entries(props)) {
					if (!(key in obj) && alwaysPresent(key, prop)) {
						const kind = resolve(prop).schema.type ?? 'value';
						errors.push(
							`${path}.${key}: missing (non-nullable ${kind} of ${name ?? 'object'} is always serialized)`
						);
					}
				}
			}
		}
	};

	const named = (schemaName: string): Schema => {
		if (!schemas[schemaName]) {
			throw new Error(`no schema ${schemaName} in ${file}`);
		}
		return { $ref: `#/components/schemas/${schemaName}` };
	};

	return {
		file,
		validate(value, schemaName) {
			const errors: string[] = [];
			check(value, named(schemaName), schemaName, errors);
			return errors;
		},
		validateList(value, schemaName) {
			const errors: string[] = [];
			check(value, { type: 'array', items: named(schemaName) }, `${schemaName}[]`, errors);
			return errors;
		},
		hasOperation(method, path) {
			return pathPatterns.some((p) => p.regex.test(path) && p.methods.has(method.toUpperCase()));
		}
	};
}
