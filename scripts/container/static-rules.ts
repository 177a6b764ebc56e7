/**
 * container:check's static rules: the Dockerfile lint (issue 12 item 1) and the compose files'
 * points (item 2, and what compose expresses of item 1). Each rule reads the files' text from a
 * {@link StaticInput} and returns the reasons it fails (an empty list is a pass), so the same rule
 * runs on the repository's files and on deliberately broken copies ({@link MUTATIONS}).
 */
import { parse as parseYaml } from 'yaml';
import {
	effectiveInstructions,
	findStage,
	keyValues,
	parseDockerfile,
	stageAncestry,
	type Dockerfile,
	type Instruction,
	type Stage
} from './dockerfile';

/** The files the static rules look at, as text. */
export interface StaticInput {
	dockerfile: string;
	/** docker-compose.yml: Comradarr + PostgreSQL 18. */
	compose: string;
	/** docker-compose.embedded.yml: Comradarr alone on the embedded PostgreSQL. */
	composeEmbedded: string;
	/** Reads a repository file (for scripts the Dockerfile runs); undefined when missing. */
	readRepoFile: (path: string) => string | undefined;
}

export interface StaticRule {
	id: string;
	title: string;
	/** Reasons the rule fails; empty when it passes. May throw on unparsable input (a failure). */
	check: (input: StaticInput) => string[];
}

/** Where Bun keeps its download cache in the official image (root's home, build stages). */
export const BUN_CACHE_DIR = '/root/.bun/install/cache';
/** The variables whose name says "secret": they must be `_FILE` paths, never the value. */
const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

/** The last stage (parseDockerfile guarantees there is one). */
function finalStage(file: Dockerfile): Stage {
	const stage = file.stages.at(-1);
	if (!stage) throw new Error('Dockerfile has no FROM');
	return stage;
}

function lastOf(instructions: Instruction[], keyword: string): Instruction | undefined {
	return instructions.filter((i) => i.keyword === keyword).at(-1);
}

function isBunInstall(instruction: Instruction): boolean {
	return instruction.keyword === 'RUN' && /\bbun\s+(install|i)\b/.test(instruction.args);
}

/** A URL's password, or '' when it has none or is not a URL. */
function urlPassword(value: string): string {
	const match = /^[a-z][a-z0-9+.-]*:\/\/([^/@]*)@/i.exec(value.trim());
	if (!match) return '';
	const userinfo = match[1] ?? '';
	const colon = userinfo.indexOf(':');
	return colon >= 0 ? userinfo.slice(colon + 1) : '';
}

/** Secret-looking variables: a secret name not ending in `_FILE`, or a URL with a password. */
export function secretLooking(pairs: { key: string; value: string }[]): string[] {
	const reasons: string[] = [];
	for (const { key, value } of pairs) {
		if (SECRET_NAME.test(key) && !/_FILE$/i.test(key)) {
			reasons.push(`${key} holds a secret value (use ${key}_FILE and a Docker secret)`);
		}
		if (urlPassword(value)) reasons.push(`${key} is a URL with a password in it`);
	}
	return reasons;
}

// ---------------------------------------------------------------------------------------------
// Dockerfile

function dockerfileRules(): StaticRule[] {
	const parsed = (input: StaticInput) => parseDockerfile(input.dockerfile);
	return [
		{
			id: 'dockerfile.base-image',
			title: 'every FROM is the official Bun Debian image (oven/bun:*-debian) or an earlier stage',
			check(input) {
				const file = parsed(input);
				return file.stages.flatMap((stage) => {
					const earlier = file.stages.slice(0, stage.index).some((s) => s.name === stage.from);
					if (earlier || /^oven\/bun:[\w.-]*-debian$/.test(stage.from)) return [];
					return [`stage ${stage.index} is FROM ${stage.from}`];
				});
			}
		},
		{
			id: 'dockerfile.non-root',
			title: 'the final stage runs as a non-root USER',
			check(input) {
				const file = parsed(input);
				const user = lastOf(effectiveInstructions(file, finalStage(file)), 'USER');
				if (!user) return ['no USER in the final stage: it runs as root'];
				const name = (user.args.split(':')[0] ?? '').trim();
				return name === 'root' || name === '0' ? [`USER ${user.args} is root`] : [];
			}
		},
		{
			id: 'dockerfile.healthcheck',
			title: 'the final stage has a HEALTHCHECK (exec form) that asks /health',
			check(input) {
				const file = parsed(input);
				const check = lastOf(effectiveInstructions(file, finalStage(file)), 'HEALTHCHECK');
				if (!check) return ['no HEALTHCHECK'];
				if (/^NONE\b/i.test(check.args)) return ['HEALTHCHECK NONE'];
				const command = /^CMD\s+([\s\S]*)$/i.exec(check.args)?.[1];
				if (!command) return [`HEALTHCHECK without CMD: ${check.args}`];
				const exec = command.trim().startsWith('[') ? JSON.parse(command) : undefined;
				if (!Array.isArray(exec)) return ['HEALTHCHECK CMD is in shell form'];
				if (exec.some((part: string) => part.includes('/health'))) return [];
				// A script the image runs: look for /health in its source.
				const script = (exec as string[]).find((part) => /\.(ts|js|sh)$/.test(part));
				const source = script && input.readRepoFile(script.replace(/^\/app\//, ''));
				if (source && /\/health['"`]/.test(source)) return [];
				return [`HEALTHCHECK ${command} does not ask /health`];
			}
		},
		{
			id: 'dockerfile.exec-form',
			title: 'CMD and ENTRYPOINT of the final stage are in exec form (no shell in front of Bun)',
			check(input) {
				const file = parsed(input);
				const instructions = effectiveInstructions(file, finalStage(file));
				const reasons: string[] = [];
				const cmd = lastOf(instructions, 'CMD');
				if (!cmd) reasons.push('no CMD');
				for (const i of [cmd, lastOf(instructions, 'ENTRYPOINT')]) {
					if (i && !i.exec) reasons.push(`${i.keyword} (line ${i.line}) is in shell form`);
					if (i?.exec && ['sh', 'bash', '/bin/sh', '/bin/bash'].includes(i.exec[0] ?? '')) {
						if (i.exec.includes('-c')) reasons.push(`${i.keyword} runs a shell -c`);
					}
				}
				return reasons;
			}
		},
		{
			id: 'dockerfile.entrypoint-execs',
			title: 'the ENTRYPOINT script ends every path in `exec` (the shell is replaced by Bun)',
			check(input) {
				const file = parsed(input);
				const entry = lastOf(effectiveInstructions(file, finalStage(file)), 'ENTRYPOINT');
				const script = entry?.exec?.[0];
				if (!script) return []; // no entrypoint: CMD runs directly (covered above)
				const source = input.readRepoFile(script.replace(/^\/app\//, ''));
				if (source === undefined) return [`${script} is not in the repository`];
				const lines = source.split('\n').map((l) => l.trim());
				const reasons: string[] = [];
				if (!lines.some((l) => /^exec\s+"\$@"$/.test(l))) {
					reasons.push('no `exec "$@"` for a non-root start');
				}
				if (!lines.some((l) => /^exec\s+setpriv\b.*--reuid=.*--regid=.*"\$@"$/.test(l))) {
					reasons.push('no `exec setpriv --reuid=… --regid=… "$@"` for a PUID/PGID start');
				}
				if (lines.some((l) => /^"\$@"|^\$@|^bun\b/.test(l))) {
					reasons.push('runs the command without exec (the shell would stay as PID 1)');
				}
				return reasons;
			}
		},
		{
			id: 'dockerfile.install-cache',
			title: `every bun install has a BuildKit cache mount on ${BUN_CACHE_DIR}`,
			check(input) {
				const file = parsed(input);
				const installs = file.stages.flatMap((s) => s.instructions).filter(isBunInstall);
				if (installs.length === 0) return ['no bun install'];
				return installs
					.filter(
						(i) =>
							!i.flags.some(
								(f) =>
									f.name === 'mount' &&
									/(^|,)type=cache(,|$)/.test(f.value) &&
									f.value.includes(`target=${BUN_CACHE_DIR}`)
							)
					)
					.map(
						(i) => `line ${i.line}: bun install without --mount=type=cache,target=${BUN_CACHE_DIR}`
					);
			}
		},
		{
			id: 'dockerfile.production-deps',
			title:
				'the final stage copies node_modules from a stage whose only install is --production (--frozen-lockfile)',
			check(input) {
				const file = parsed(input);
				const final = finalStage(file);
				const copy = final.instructions.find(
					(i) => i.keyword === 'COPY' && /(^|\s)\/app\/node_modules(\s|$)/.test(i.args)
				);
				const from = copy?.flags.find((f) => f.name === 'from')?.value;
				if (!copy || !from) return ['the final stage copies no node_modules from a stage'];
				const source = findStage(file, from);
				if (!source) return [`COPY --from=${from}: no such stage`];
				const installs = stageAncestry(file, source)
					.flatMap((s) => s.instructions)
					.filter(isBunInstall);
				const reasons = installs
					.filter((i) => !/--production\b/.test(i.args) || !/--frozen-lockfile\b/.test(i.args))
					.map((i) => `line ${i.line}: ${from}'s ancestry installs ${i.args}`);
				if (!installs.some((i) => /--production\b/.test(i.args))) {
					reasons.push(`stage ${from} has no bun install --production`);
				}
				for (const i of final.instructions.filter(isBunInstall)) {
					if (!/--production\b/.test(i.args)) reasons.push(`the final stage installs ${i.args}`);
				}
				return reasons;
			}
		},
		{
			id: 'dockerfile.volume-data',
			title: 'the final stage declares VOLUME /data and DATA_DIR=/data',
			check(input) {
				const file = parsed(input);
				const instructions = effectiveInstructions(file, finalStage(file));
				const volumes = instructions
					.filter((i) => i.keyword === 'VOLUME')
					.flatMap((i) => i.exec ?? i.args.split(/\s+/));
				const env = instructions.filter((i) => i.keyword === 'ENV').flatMap(keyValues);
				const reasons: string[] = [];
				if (!volumes.includes('/data')) reasons.push('no VOLUME /data');
				const dataDir = env.filter((p) => p.key === 'DATA_DIR').at(-1)?.value;
				if (dataDir !== '/data') reasons.push(`DATA_DIR is ${dataDir ?? 'unset'}, not /data`);
				return reasons;
			}
		},
		{
			id: 'dockerfile.no-secret-env',
			title: 'no ENV or ARG carries a secret-looking value',
			check(input) {
				const file = parsed(input);
				const all = [...file.preamble, ...file.stages.flatMap((s) => s.instructions)];
				return secretLooking(
					all.filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG').flatMap(keyValues)
				);
			}
		},
		{
			id: 'dockerfile.tzdata',
			title: 'the final stage installs tzdata (TZ is honoured) and libnss-wrapper (any PUID)',
			check(input) {
				const file = parsed(input);
				const runs = finalStage(file)
					.instructions.filter((i) => i.keyword === 'RUN')
					.map((i) => i.args);
				const apt = runs.filter((r) => /apt-get\s+install/.test(r)).join(' ');
				const reasons: string[] = [];
				if (!/\btzdata\b/.test(apt)) reasons.push('tzdata is not installed');
				if (!/\blibnss-wrapper\b/.test(apt)) reasons.push('libnss-wrapper is not installed');
				return reasons;
			}
		},
		{
			id: 'dockerfile.read-only-ready',
			title:
				'the final stage sets BUN_RUNTIME_TRANSPILER_CACHE_PATH=0 (no cache writes on a read-only root)',
			check(input) {
				const file = parsed(input);
				const env = effectiveInstructions(file, finalStage(file))
					.filter((i) => i.keyword === 'ENV')
					.flatMap(keyValues);
				const value = env.filter((p) => p.key === 'BUN_RUNTIME_TRANSPILER_CACHE_PATH').at(-1);
				return value?.value === '0' ? [] : ['BUN_RUNTIME_TRANSPILER_CACHE_PATH is not 0'];
			}
		}
	];
}

// ---------------------------------------------------------------------------------------------
// Compose

type Yaml = Record<string, unknown>;

function asObject(value: unknown): Yaml {
	return value && typeof value === 'object' && !Array.isArray(value) ? (value as Yaml) : {};
}

function asList(value: unknown): unknown[] {
	return Array.isArray(value) ? value : [];
}

/** A service's environment as pairs, from the map or the `KEY=value` list form. */
export function environmentOf(service: Yaml): { key: string; value: string }[] {
	const env = service.environment;
	if (Array.isArray(env)) {
		return env.map((entry) => {
			const text = String(entry);
			const eq = text.indexOf('=');
			return eq < 0
				? { key: text, value: '' }
				: { key: text.slice(0, eq), value: text.slice(eq + 1) };
		});
	}
	return Object.entries(asObject(env)).map(([key, value]) => ({
		key,
		value: value === null || value === undefined ? '' : String(value)
	}));
}

/** Names of the secrets a service mounts (short `- name` or long `- source: name`). */
function secretsOf(service: Yaml): string[] {
	return asList(service.secrets).map((entry) =>
		typeof entry === 'string' ? entry : String(asObject(entry).source ?? '')
	);
}

/** `source:target` of a service's volumes (short or long syntax). */
function volumesOf(service: Yaml): { source: string; target: string }[] {
	return asList(service.volumes).map((entry) => {
		if (typeof entry === 'string') {
			const [source = '', target] = entry.split(':');
			return { source: target === undefined ? '' : source, target: target ?? source };
		}
		const long = asObject(entry);
		return { source: String(long.source ?? ''), target: String(long.target ?? '') };
	});
}

/** Seconds of a compose duration (`30s`, `1m30s`, `1m`), or NaN. */
export function durationSeconds(value: unknown): number {
	const text = String(value ?? '');
	const match = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?$/.exec(text);
	if (!text || !match) return Number.NaN;
	return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

/** The secret a `*_FILE` variable points to: `/run/secrets/<name>` → name, else undefined. */
function secretFileName(env: { key: string; value: string }[], key: string): string | undefined {
	const value = env.find((p) => p.key === key)?.value;
	return value ? /^\/run\/secrets\/([\w.-]+)$/.exec(value)?.[1] : undefined;
}

/** The hardening every Comradarr service gets, in both compose files. */
function comradarrHardening(file: Yaml, service: Yaml): string[] {
	const reasons: string[] = [];
	if (service.build !== '.' && asObject(service.build).context !== '.') {
		reasons.push('comradarr is not built from this Dockerfile (build: .)');
	}
	if (service.read_only !== true) reasons.push('comradarr has no read_only: true');
	const tmpfs = asList(typeof service.tmpfs === 'string' ? [service.tmpfs] : service.tmpfs);
	if (!tmpfs.some((t) => String(t).split(':')[0] === '/tmp')) reasons.push('no tmpfs on /tmp');
	const data = volumesOf(service).find((v) => v.target === '/data');
	if (!data) reasons.push('no volume on /data');
	else if (!(data.source in asObject(file.volumes))) {
		reasons.push(`/data is on ${data.source || 'an anonymous volume'}, not a named volume`);
	}
	if (service.init !== true) reasons.push('no init: true (zombie reaping, signal forwarding)');
	const grace = durationSeconds(service.stop_grace_period);
	if (!(grace > 20)) reasons.push('stop_grace_period is not above the 20 s shutdown wait');
	const health = asObject(service.healthcheck);
	if (health.disable === true || asList(health.test)[0] === 'NONE') {
		reasons.push("comradarr's healthcheck is disabled");
	}
	const env = environmentOf(service);
	const key = secretFileName(env, 'SECRET_KEY_FILE');
	if (!key) reasons.push('SECRET_KEY_FILE is not /run/secrets/<name>');
	else {
		if (!secretsOf(service).includes(key)) reasons.push(`comradarr does not mount secret ${key}`);
		if (!asObject(asObject(file.secrets)[key]).file) reasons.push(`secret ${key} has no file`);
	}
	return reasons;
}

/** Every environment value of every service: no secret-looking one. */
function noSecretsInEnvironment(file: Yaml): string[] {
	return Object.entries(asObject(file.services)).flatMap(([name, service]) =>
		secretLooking(environmentOf(asObject(service))).map((reason) => `${name}: ${reason}`)
	);
}

function composeRules(): StaticRule[] {
	const external = (input: StaticInput) => asObject(parseYaml(input.compose));
	const embedded = (input: StaticInput) => asObject(parseYaml(input.composeEmbedded));
	const service = (file: Yaml, name: string) => asObject(asObject(file.services)[name]);
	return [
		{
			id: 'compose.services',
			title: 'docker-compose.yml: services comradarr and db (image postgres:18)',
			check(input) {
				const file = external(input);
				const reasons: string[] = [];
				if (!asObject(file.services).comradarr) reasons.push('no comradarr service');
				const image = String(service(file, 'db').image ?? '');
				if (!/^postgres:18(\b|$)/.test(image)) {
					reasons.push(`db image is "${image}", not postgres:18`);
				}
				return reasons;
			}
		},
		{
			id: 'compose.db-volume',
			title: 'docker-compose.yml: db keeps its data on a named volume at /var/lib/postgresql',
			check(input) {
				const file = external(input);
				const volume = volumesOf(service(file, 'db')).find((v) =>
					['/var/lib/postgresql', '/var/lib/postgresql/data'].includes(v.target)
				);
				if (!volume) return ['db has no volume on /var/lib/postgresql'];
				const reasons: string[] = [];
				if (!(volume.source in asObject(file.volumes))) {
					reasons.push(`${volume.source || 'the volume'} is not a named volume`);
				}
				// postgres:18 images refuse /var/lib/postgresql/data (PGDATA moved to …/18/docker).
				if (volume.target !== '/var/lib/postgresql') reasons.push(`mounted at ${volume.target}`);
				return reasons;
			}
		},
		{
			id: 'compose.db-healthcheck',
			title: 'docker-compose.yml: db has a pg_isready healthcheck',
			check(input) {
				const health = asObject(service(external(input), 'db').healthcheck);
				const test = asList(health.test).map(String).join(' ') || String(health.test ?? '');
				return /\bpg_isready\b/.test(test) ? [] : ['db healthcheck does not run pg_isready'];
			}
		},
		{
			id: 'compose.depends-on-healthy',
			title: 'docker-compose.yml: comradarr depends_on db with condition service_healthy',
			check(input) {
				const db = asObject(asObject(service(external(input), 'comradarr').depends_on).db);
				return db.condition === 'service_healthy'
					? []
					: ['no depends_on: db: condition: service_healthy'];
			}
		},
		{
			id: 'compose.db-password-secret',
			title:
				'docker-compose.yml: one Docker secret feeds POSTGRES_PASSWORD_FILE (db) and DATABASE_PASSWORD_FILE (comradarr); DATABASE_URL has no password',
			check(input) {
				const file = external(input);
				const db = service(file, 'db');
				const app = service(file, 'comradarr');
				const reasons: string[] = [];
				const dbSecret = secretFileName(environmentOf(db), 'POSTGRES_PASSWORD_FILE');
				const appSecret = secretFileName(environmentOf(app), 'DATABASE_PASSWORD_FILE');
				if (!dbSecret) reasons.push('db: POSTGRES_PASSWORD_FILE is not /run/secrets/<name>');
				if (!appSecret) {
					reasons.push('comradarr: DATABASE_PASSWORD_FILE is not /run/secrets/<name>');
				}
				if (dbSecret && appSecret && dbSecret !== appSecret) {
					reasons.push(`db reads secret ${dbSecret}, comradarr ${appSecret}`);
				}
				if (dbSecret && !secretsOf(db).includes(dbSecret)) {
					reasons.push(`db does not mount ${dbSecret}`);
				}
				if (appSecret && !secretsOf(app).includes(appSecret)) {
					reasons.push(`comradarr does not mount ${appSecret}`);
				}
				for (const name of [dbSecret, appSecret]) {
					if (name && !asObject(asObject(file.secrets)[name]).file) {
						reasons.push(`secret ${name} is not defined with a file`);
					}
				}
				const url = environmentOf(app).find((p) => p.key === 'DATABASE_URL')?.value ?? '';
				if (!/^postgres(ql)?:\/\/[^@/:]+@db(:5432)?\//.test(url)) {
					reasons.push(`DATABASE_URL "${url}" is not postgres://user@db:5432/… (no password)`);
				}
				return reasons;
			}
		},
		{
			id: 'compose.no-secret-env',
			title: 'both compose files: no secret in any environment value',
			check(input) {
				return [
					...noSecretsInEnvironment(external(input)),
					...noSecretsInEnvironment(embedded(input))
				];
			}
		},
		{
			id: 'compose.hardening',
			title:
				'docker-compose.yml: comradarr is built here, read_only, tmpfs /tmp, named /data volume, init, stop grace > 20 s, healthcheck on, SECRET_KEY_FILE secret',
			check(input) {
				const file = external(input);
				return comradarrHardening(file, service(file, 'comradarr'));
			}
		},
		{
			id: 'compose.embedded',
			title:
				'docker-compose.embedded.yml: comradarr alone (no DATABASE_URL, no db) with the same hardening',
			check(input) {
				const file = embedded(input);
				const names = Object.keys(asObject(file.services));
				const reasons: string[] = [];
				if (names.join() !== 'comradarr') reasons.push(`services are ${names.join(', ')}`);
				const app = service(file, 'comradarr');
				const env = environmentOf(app);
				for (const key of ['DATABASE_URL', 'DATABASE_PASSWORD_FILE']) {
					if (env.some((p) => p.key === key)) reasons.push(`${key} is set`);
				}
				if (app.depends_on) reasons.push('comradarr depends on another service');
				return [...reasons, ...comradarrHardening(file, app)];
			}
		}
	];
}

/** Every static rule, Dockerfile first. */
export const STATIC_RULES: StaticRule[] = [...dockerfileRules(), ...composeRules()];

/** Runs one rule; a throw (unparsable file) counts as a failure with the error's message. */
export function runRule(rule: StaticRule, input: StaticInput): string[] {
	try {
		return rule.check(input);
	} catch (error) {
		return [error instanceof Error ? error.message : String(error)];
	}
}

export interface Mutation {
	/** The rule that must go red on the broken copy. */
	rule: string;
	what: string;
	apply: (input: StaticInput) => StaticInput;
}

/** Replaces `from` (a string or pattern that must match) in one field of the input. */
function edit(
	field: 'dockerfile' | 'compose' | 'composeEmbedded',
	from: string | RegExp,
	to: string
): (input: StaticInput) => StaticInput {
	return (input) => {
		const text = input[field];
		const found = typeof from === 'string' ? text.includes(from) : from.test(text);
		if (!found) throw new Error(`mutation target ${String(from)} not found in ${field}`);
		return { ...input, [field]: text.replace(from, to) };
	};
}

/**
 * Deliberate breakages, one or more per rule: container:check applies each to a copy of the real
 * files and expects its rule to FAIL, so no rule can pass whatever the files say.
 */
export const MUTATIONS: Mutation[] = [
	{
		rule: 'dockerfile.base-image',
		what: 'runtime FROM node:22',
		apply: edit('dockerfile', /FROM oven\/bun:\S+ AS runtime/, 'FROM node:22 AS runtime')
	},
	{
		rule: 'dockerfile.base-image',
		what: 'alpine base',
		apply: edit('dockerfile', /FROM oven\/bun:\S+ AS base/, 'FROM oven/bun:1.4.5-alpine AS base')
	},
	{
		rule: 'dockerfile.non-root',
		what: 'USER root',
		apply: edit('dockerfile', /^USER bun$/m, 'USER root')
	},
	{
		rule: 'dockerfile.non-root',
		what: 'USER removed',
		apply: edit('dockerfile', /^USER bun$/m, '')
	},
	{
		rule: 'dockerfile.healthcheck',
		what: 'HEALTHCHECK removed',
		apply: edit('dockerfile', /^HEALTHCHECK .*$/m, '')
	},
	{
		rule: 'dockerfile.healthcheck',
		what: 'HEALTHCHECK asks /',
		apply: edit(
			'dockerfile',
			/^HEALTHCHECK .*$/m,
			'HEALTHCHECK CMD ["curl", "-f", "http://127.0.0.1:3000/"]'
		)
	},
	{
		rule: 'dockerfile.exec-form',
		what: 'CMD in shell form',
		apply: edit('dockerfile', /^CMD \[.*\]$/m, 'CMD bun ./scripts/serve.ts')
	},
	{
		rule: 'dockerfile.exec-form',
		what: 'ENTRYPOINT in shell form',
		apply: edit(
			'dockerfile',
			/^ENTRYPOINT \[.*\]$/m,
			'ENTRYPOINT /app/scripts/docker-entrypoint.sh'
		)
	},
	{
		rule: 'dockerfile.entrypoint-execs',
		what: 'entrypoint runs "$@" without exec',
		apply: (input) => ({
			...input,
			readRepoFile: (path) => {
				const text = input.readRepoFile(path);
				return path === 'scripts/docker-entrypoint.sh' && text
					? text.replace(/^(\s*)exec "\$@"$/m, '$1"$@"')
					: text;
			}
		})
	},
	{
		rule: 'dockerfile.install-cache',
		what: 'cache mount dropped',
		apply: edit(
			'dockerfile',
			'RUN --mount=type=cache,target=/root/.bun/install/cache bun install --frozen-lockfile --production',
			'RUN bun install --frozen-lockfile --production'
		)
	},
	{
		rule: 'dockerfile.production-deps',
		what: 'node_modules from the full install',
		apply: edit('dockerfile', '--from=prod-deps', '--from=deps')
	},
	{
		rule: 'dockerfile.production-deps',
		what: '--production dropped',
		apply: edit(
			'dockerfile',
			'bun install --frozen-lockfile --production',
			'bun install --frozen-lockfile'
		)
	},
	{
		rule: 'dockerfile.volume-data',
		what: 'VOLUME removed',
		apply: edit('dockerfile', /^VOLUME \/data$/m, '')
	},
	{
		rule: 'dockerfile.no-secret-env',
		what: 'ENV SECRET_KEY',
		apply: edit('dockerfile', /^USER bun$/m, 'ENV SECRET_KEY=0123456789abcdef\nUSER bun')
	},
	{
		rule: 'dockerfile.no-secret-env',
		what: 'ENV DATABASE_URL with a password',
		apply: edit(
			'dockerfile',
			/^USER bun$/m,
			'ENV DATABASE_URL=postgres://comradarr:hunter2@db/comradarr\nUSER bun'
		)
	},
	{
		rule: 'dockerfile.tzdata',
		what: 'tzdata not installed',
		apply: edit('dockerfile', ' tzdata ', ' ')
	},
	{
		rule: 'dockerfile.read-only-ready',
		what: 'transpiler cache on',
		apply: edit('dockerfile', /^(ENV .*) BUN_RUNTIME_TRANSPILER_CACHE_PATH=0/m, '$1')
	},
	{
		rule: 'compose.services',
		what: 'postgres:17',
		apply: edit('compose', 'image: postgres:18', 'image: postgres:17')
	},
	{
		rule: 'compose.db-volume',
		what: 'db on an anonymous volume',
		apply: edit('compose', '- db-data:/var/lib/postgresql\n', '- /var/lib/postgresql\n')
	},
	{
		rule: 'compose.db-healthcheck',
		what: 'healthcheck without pg_isready',
		apply: edit(
			'compose',
			"['CMD', 'pg_isready', '-U', 'comradarr', '-d', 'comradarr']",
			"['CMD', 'true']"
		)
	},
	{
		rule: 'compose.depends-on-healthy',
		what: 'service_started',
		apply: edit('compose', 'condition: service_healthy', 'condition: service_started')
	},
	{
		rule: 'compose.db-password-secret',
		what: 'password in DATABASE_URL',
		apply: edit(
			'compose',
			'postgres://comradarr@db:5432/comradarr',
			'postgres://comradarr:hunter2@db:5432/comradarr'
		)
	},
	{
		rule: 'compose.db-password-secret',
		what: 'DATABASE_PASSWORD_FILE removed',
		apply: edit('compose', /^\s+DATABASE_PASSWORD_FILE: .*\n/m, '')
	},
	{
		rule: 'compose.no-secret-env',
		what: 'POSTGRES_PASSWORD in environment',
		apply: edit(
			'compose',
			'POSTGRES_PASSWORD_FILE: /run/secrets/db_password',
			'POSTGRES_PASSWORD: hunter2'
		)
	},
	{
		rule: 'compose.no-secret-env',
		what: 'SECRET_KEY in the embedded file',
		apply: edit(
			'composeEmbedded',
			'SECRET_KEY_FILE: /run/secrets/secret_key',
			'SECRET_KEY: hunter2'
		)
	},
	{
		rule: 'compose.hardening',
		what: 'read_only dropped',
		apply: edit('compose', 'read_only: true', 'read_only: false')
	},
	{
		rule: 'compose.hardening',
		what: 'no tmpfs',
		apply: edit('compose', /tmpfs:\n\s+- \/tmp\n/, '')
	},
	{
		rule: 'compose.embedded',
		what: 'DATABASE_URL in the embedded file',
		apply: edit(
			'composeEmbedded',
			'SECRET_KEY_FILE: /run/secrets/secret_key',
			'SECRET_KEY_FILE: /run/secrets/secret_key\n      DATABASE_URL: postgres://x@db/x'
		)
	},
	{
		rule: 'compose.embedded',
		what: 'embedded not read-only',
		apply: edit('composeEmbedded', 'read_only: true', 'read_only: false')
	}
];
