/**
 * Helpers of the contract tests: the committed derived contract and matching of recorded
 * requests against its operations.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type * as v from 'valibot';
import type { AppContract, ArrContract, ContractApp } from '../../scripts/derive-arr-contract';

export const SHARED_ARR_API = path.resolve(import.meta.dirname, '../../../shared/arr-api');
export const sharedPresent = existsSync(path.join(SHARED_ARR_API, 'sonarr/openapi.json'));

export function loadContract(): ArrContract {
	return JSON.parse(
		readFileSync(path.resolve(import.meta.dirname, 'arr-contract.generated.json'), 'utf8')
	) as ArrContract;
}

/** The UI's catch-all (`GET /{path}` serves the web app's index page): not an API operation. */
const UI_FALLBACK = '/{path}';

/**
 * The spec operation (`"GET /api/v3/command/{id}"`) a request matches, or null. The most specific
 * template wins (fewest path parameters), as in ASP.NET routing.
 */
export function matchOperation(
	contract: AppContract,
	method: string,
	requestPath: string
): string | null {
	let best: { key: string; params: number } | null = null;
	for (const key of Object.keys(contract.operations)) {
		const [opMethod, template] = key.split(' ') as [string, string];
		if (opMethod !== method || template === UI_FALLBACK) continue;
		const pattern = new RegExp(
			`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`
		);
		if (!pattern.test(requestPath)) continue;
		const params = (template.match(/\{/g) ?? []).length;
		if (!best || params < best.params) best = { key, params };
	}
	return best?.key ?? null;
}

export type { ContractApp };

/** Unwraps optional / nullable wrappers of a valibot schema. */
function unwrap(schema: v.GenericSchema): v.GenericSchema {
	let s = schema as v.GenericSchema & { wrapped?: v.GenericSchema };
	while ((s.type === 'optional' || s.type === 'nullable' || s.type === 'nullish') && s.wrapped) {
		s = s.wrapped as typeof s;
	}
	return s;
}

/** The object entries of a (possibly piped / wrapped) valibot object schema. */
export function entriesOf(schema: v.GenericSchema): Record<string, v.GenericSchema> {
	const s = unwrap(schema) as v.GenericSchema & { entries?: Record<string, v.GenericSchema> };
	if (!s.entries) throw new Error(`not an object schema: ${s.type}`);
	return s.entries;
}

/** Whether a valibot field type can read a value of the spec's property type. */
export function compatible(field: v.GenericSchema, specType: string): boolean {
	const t = unwrap(field).type;
	switch (t) {
		case 'unknown':
			return true;
		case 'boolean':
			return specType === 'boolean';
		case 'number':
			return specType === 'integer' || specType === 'number';
		case 'string':
			return specType === 'string' || specType === 'date-time';
		case 'array':
			return specType.startsWith('array<');
		case 'loose_object':
		case 'object':
		case 'record':
			return specType.startsWith('ref:') || specType === 'object';
		default:
			return false;
	}
}
