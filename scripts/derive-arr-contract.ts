/**
 * Derives the *arr API contract Comradarr's tests need from the official OpenAPI specs in
 * `../shared/arr-api/` (which are never copied into this repository) and writes
 * `tests/contract/arr-contract.generated.json`:
 *
 *   { apps: { <app>: { source, operations: { "GET /api/v3/episode": { query: [...] } },
 *                      schemas: { EpisodeResource: { <property>: { type, nullable, enum? } } } } } }
 *
 *   bun scripts/derive-arr-contract.ts           # write the file
 *   bun scripts/derive-arr-contract.ts --check   # exit 1 when the committed file is stale
 *
 * `deriveContract()` is also used by the contract tests to check the committed file is current.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const APPS = {
	sonarr: 'sonarr/openapi.json',
	radarr: 'radarr/openapi.json',
	'whisparr-v2': 'whisparr-v2/openapi.json',
	'whisparr-v3': 'whisparr-v3/openapi.json'
} as const;
export type ContractApp = keyof typeof APPS;

/** The component schemas whose properties our valibot schemas read. */
export const SCHEMAS = [
	'SystemResource',
	'HealthResource',
	'CommandResource',
	'SeriesResource',
	'SeasonResource',
	'SeasonStatisticsResource',
	'EpisodeResource',
	'EpisodeFileResource',
	'MovieResource',
	'MovieFileResource',
	'QualityModel',
	'Quality'
] as const;

export interface PropertyContract {
	type: string;
	nullable: boolean;
	enum?: string[];
}

export interface AppContract {
	source: string;
	operations: Record<string, { query: string[] }>;
	schemas: Record<string, Record<string, PropertyContract>>;
}

export interface ArrContract {
	apps: Record<ContractApp, AppContract>;
}

export const SHARED_DIR = path.resolve(import.meta.dirname, '../../shared/arr-api');
export const CONTRACT_FILE = path.resolve(
	import.meta.dirname,
	'../tests/contract/arr-contract.generated.json'
);

interface OpenApi {
	paths: Record<
		string,
		Record<string, { parameters?: { name: string; in: string; $ref?: string }[] }>
	>;
	components?: {
		schemas?: Record<string, OpenApiSchema>;
		parameters?: Record<string, { name: string; in: string }>;
	};
}
interface OpenApiSchema {
	type?: string;
	format?: string;
	nullable?: boolean;
	enum?: string[];
	$ref?: string;
	allOf?: OpenApiSchema[];
	items?: OpenApiSchema;
	properties?: Record<string, OpenApiSchema>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head'];

function describeType(schema: OpenApiSchema, all: Record<string, OpenApiSchema>): PropertyContract {
	let s = schema;
	let nullable = Boolean(s.nullable);
	if (s.allOf?.length === 1 && s.allOf[0]) s = s.allOf[0];
	if (s.$ref) {
		const name = s.$ref.split('/').pop() ?? '';
		const target = all[name] ?? {};
		nullable ||= Boolean(target.nullable);
		if (target.enum) return { type: 'string', nullable, enum: [...target.enum] };
		return { type: `ref:${name}`, nullable };
	}
	const type =
		s.type === 'array'
			? `array<${s.items ? describeType(s.items, all).type : 'unknown'}>`
			: (s.type ?? 'object');
	const out: PropertyContract = { type: s.format === 'date-time' ? 'date-time' : type, nullable };
	if (s.enum) out.enum = [...s.enum];
	return out;
}

/** Reads the four specs and builds the contract. @throws when ../shared/arr-api is absent. */
export function deriveContract(sharedDir = SHARED_DIR): ArrContract {
	const apps = {} as Record<ContractApp, AppContract>;
	for (const [app, file] of Object.entries(APPS) as [ContractApp, string][]) {
		const spec = JSON.parse(readFileSync(path.join(sharedDir, file), 'utf8')) as OpenApi;
		const operations: AppContract['operations'] = {};
		for (const [route, item] of Object.entries(spec.paths).sort(([a], [b]) => a.localeCompare(b))) {
			for (const method of METHODS) {
				const op = item[method];
				if (!op) continue;
				const query = (op.parameters ?? [])
					.map((p) => (p.$ref ? spec.components?.parameters?.[p.$ref.split('/').pop() ?? ''] : p))
					.filter((p): p is { name: string; in: string } => Boolean(p) && p?.in === 'query')
					.map((p) => p.name)
					.sort();
				operations[`${method.toUpperCase()} ${route}`] = { query };
			}
		}
		const all = spec.components?.schemas ?? {};
		const schemas: AppContract['schemas'] = {};
		for (const name of SCHEMAS) {
			const schema = all[name];
			if (!schema?.properties) continue;
			schemas[name] = Object.fromEntries(
				Object.entries(schema.properties)
					.sort(([a], [b]) => a.localeCompare(b))
					.map(([prop, def]) => [prop, describeType(def, all)])
			);
		}
		apps[app] = { source: `shared/arr-api/${file}`, operations, schemas };
	}
	return { apps };
}

export function serialise(contract: ArrContract): string {
	return `${JSON.stringify(contract, null, '\t')}\n`;
}

if (import.meta.main) {
	if (!existsSync(SHARED_DIR)) {
		console.error(
			`${SHARED_DIR} not found: the specs live in ../shared/arr-api beside the repository.`
		);
		process.exit(2);
	}
	const text = serialise(deriveContract());
	if (process.argv.includes('--check')) {
		const current = existsSync(CONTRACT_FILE) ? readFileSync(CONTRACT_FILE, 'utf8') : '';
		if (current !== text) {
			console.error(`${CONTRACT_FILE} is stale: run bun scripts/derive-arr-contract.ts`);
			process.exit(1);
		}
		console.log('arr contract is current');
	} else {
		writeFileSync(CONTRACT_FILE, text);
		console.log(`wrote ${CONTRACT_FILE}`);
	}
}
