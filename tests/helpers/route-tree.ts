/**
 * Lists every route of the app from `src/routes` itself, so a test of "every route" cannot go
 * stale when a route is added: pages (`+page.svelte` / `+page.server.ts`), their form actions
 * (the keys of `export const actions`, read with the TypeScript parser), and endpoints
 * (`+server.ts`, with the HTTP methods they export).
 *
 * A route directory becomes a request path the way SvelteKit maps it
 * (svelte.dev/docs/kit/routing, "advanced routing"): `(group)` segments vanish, `[param]` gets a
 * sample value, `[...rest]` a two-segment sample, `[[optional]]` nothing.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface RouteEntry {
	/** SvelteKit route id, e.g. `/(app)/connectors/[id]`. */
	id: string;
	/** A concrete request path for it, e.g. `/connectors/1`. */
	path: string;
	kind: 'page' | 'endpoint';
	/** Endpoint: the exported method handlers (`fallback` counts as every method). */
	methods: HttpMethod[];
	/** Page: the names of its form actions (`default` for an unnamed one). */
	actions: string[];
}

function segmentSample(segment: string): string | null {
	if (/^\(.+\)$/.test(segment)) return null;
	if (/^\[\[.+\]\]$/.test(segment)) return null;
	if (/^\[\.\.\..+\]$/.test(segment)) return 'x/y';
	// A param with a matcher (`[id=integer]`) or without: a small integer fits both kinds we use.
	if (/^\[.+\]$/.test(segment)) return '1';
	return segment;
}

function routePath(id: string): string {
	const parts = id
		.split('/')
		.filter(Boolean)
		.map(segmentSample)
		.filter((s): s is string => s !== null);
	return `/${parts.join('/')}`;
}

/** The property names of `export const actions = { … }` (through `satisfies` / `as`). */
export function formActionNames(source: string, fileName = 'page.server.ts'): string[] {
	const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
	const names: string[] = [];
	const unwrap = (node: ts.Expression): ts.Expression =>
		ts.isSatisfiesExpression(node) || ts.isAsExpression(node) || ts.isParenthesizedExpression(node)
			? unwrap(node.expression)
			: node;
	for (const statement of file.statements) {
		if (!ts.isVariableStatement(statement)) continue;
		const exported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
		if (!exported) continue;
		for (const decl of statement.declarationList.declarations) {
			if (!ts.isIdentifier(decl.name) || decl.name.text !== 'actions' || !decl.initializer) {
				continue;
			}
			const init = unwrap(decl.initializer);
			if (!ts.isObjectLiteralExpression(init)) {
				throw new Error(`${fileName}: cannot read its actions (not an object literal)`);
			}
			for (const prop of init.properties) {
				const name = prop.name;
				if (name && (ts.isIdentifier(name) || ts.isStringLiteral(name))) names.push(name.text);
			}
		}
	}
	return names;
}

/** The HTTP methods a `+server.ts` exports (`export const GET`, `export function POST`, …). */
export function endpointMethods(source: string): HttpMethod[] {
	const found = new Set<HttpMethod>();
	const pattern =
		/export\s+(?:const|async\s+function|function)\s+(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|fallback)\b/g;
	for (const match of source.matchAll(pattern)) {
		if (match[1] === 'fallback') HTTP_METHODS.forEach((m) => found.add(m));
		else found.add(match[1] as HttpMethod);
	}
	// SvelteKit answers HEAD with the GET handler.
	if (found.has('GET')) found.add('HEAD');
	return HTTP_METHODS.filter((m) => found.has(m));
}

/** Every page and endpoint under `routesDir` (default `src/routes`), sorted by path. */
export function listRoutes(routesDir = path.resolve('src/routes')): RouteEntry[] {
	const entries: RouteEntry[] = [];
	const walk = (dir: string): void => {
		const names = readdirSync(dir);
		const rel = path.relative(routesDir, dir).split(path.sep).join('/');
		const id = rel ? `/${rel}` : '/';
		const read = (name: string) => readFileSync(path.join(dir, name), 'utf8');
		const hasPage = names.some((n) => /^\+page(\.server)?\.(ts|js|svelte)$/.test(n));
		if (hasPage) {
			const server = names.find((n) => /^\+page\.server\.(ts|js)$/.test(n));
			entries.push({
				id,
				path: routePath(id),
				kind: 'page',
				methods: [],
				actions: server ? formActionNames(read(server), path.join(dir, server)) : []
			});
		}
		const endpoint = names.find((n) => /^\+server\.(ts|js)$/.test(n));
		if (endpoint) {
			entries.push({
				id,
				path: routePath(id),
				kind: 'endpoint',
				methods: endpointMethods(read(endpoint)),
				actions: []
			});
		}
		for (const name of names) {
			const full = path.join(dir, name);
			if (statSync(full).isDirectory()) walk(full);
		}
	};
	walk(routesDir);
	return entries.sort((a, b) => a.path.localeCompare(b.path) || a.kind.localeCompare(b.kind));
}
