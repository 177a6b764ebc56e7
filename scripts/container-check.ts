/**
 * `bun run container:check`: validates the container without Docker (issue 12 item 3; no image can
 * be pulled or built on these machines).
 *
 * 1. Static rules (scripts/container/static-rules.ts): lints the Dockerfile (parsed by
 *    scripts/container/dockerfile.ts) and parses docker-compose.yml / docker-compose.embedded.yml
 *    with `yaml`, asserting issue 12 items 1 and 2.
 * 2. Mutations: applies each deliberate breakage of {@link MUTATIONS} to a copy of the files and
 *    expects its rule to FAIL (so no rule passes whatever the files say).
 * 3. Runs: assembles the image's /app from the final stage's COPY lines (the `build/` of
 *    `bun run build`, a fresh `bun install --production` for node_modules, files from the
 *    repository) and runs the final stage's ENTRYPOINT + CMD with its ENV and the compose file's
 *    environment, in a bubblewrap sandbox (scripts/container/sandbox.ts): read-only root, writable
 *    /data, tmpfs /tmp, secrets as files under /run/secrets.
 *    - external: as a non-root uid with no passwd entry (`--user <uid>:<gid>`, random), on a throwaway role
 *      and database of the local PostgreSQL, the password in DATABASE_PASSWORD_FILE;
 *    - embedded: started as root with PUID/PGID (linuxserver.io style) on the embedded PostgreSQL;
 *    - a missing DATABASE_PASSWORD_FILE must stop start-up with a message naming it.
 *    Each run polls /health (60 s), runs the HEALTHCHECK command, inspects the process (/proc), and
 *    ends with SIGTERM, expecting exit status 0 within 30 s.
 *
 * Prints one `PASS` / `FAIL` line per check and a summary; exits 1 when any check fails.
 * Needs: `bwrap` (Debian `bubblewrap`), `setpriv` (util-linux), `libnss-wrapper` (for a uid with no
 * passwd entry, as in the image), `build/` (`sh scripts/test.sh build`), and for the external run
 * a PostgreSQL superuser URL: CONTAINER_CHECK_DATABASE_URL, else TEST_DATABASE_URL, else
 * postgres://root@127.0.0.1:5432/postgres. Options: `--static` runs parts 1 and 2 only.
 */
import { SQL } from 'bun';
import { randomBytes } from 'node:crypto';
import {
	chmodSync,
	chownSync,
	cpSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	readdirSync,
	renameSync,
	rmSync,
	statSync,
	symlinkSync,
	writeFileSync
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
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
} from './container/dockerfile';
import {
	environmentOf,
	MUTATIONS,
	runRule,
	STATIC_RULES,
	type StaticInput
} from './container/static-rules';
import {
	processInfo,
	runSandboxed,
	sandboxedCommand,
	spawnSandboxed,
	type SandboxOptions
} from './container/sandbox';

const ROOT = path.resolve(import.meta.dir, '..');
const HEALTH_WAIT_MS = 60_000;
const STOP_WAIT_MS = 30_000;

let passed = 0;
let failed = 0;

/** Prints one check's result; `reasons` empty means PASS. */
function report(id: string, title: string, reasons: string[]): boolean {
	if (reasons.length === 0) {
		passed += 1;
		console.log(`PASS  ${id}  ${title}`);
		return true;
	}
	failed += 1;
	console.log(`FAIL  ${id}  ${title}`);
	for (const reason of reasons) console.log(`        - ${reason}`);
	return false;
}

function readRepoFile(relative: string): string | undefined {
	const file = path.join(ROOT, relative);
	return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

function staticInput(): StaticInput {
	return {
		dockerfile: readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'),
		compose: readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'),
		composeEmbedded: readFileSync(path.join(ROOT, 'docker-compose.embedded.yml'), 'utf8'),
		readRepoFile
	};
}

function runStatic(input: StaticInput): void {
	console.log('== static rules (Dockerfile, docker-compose.yml, docker-compose.embedded.yml)');
	for (const rule of STATIC_RULES) report(rule.id, rule.title, runRule(rule, input));
	console.log('== mutations (each rule must go red on a broken copy)');
	for (const rule of STATIC_RULES) {
		if (!MUTATIONS.some((m) => m.rule === rule.id)) {
			report(`mutation.${rule.id}`, 'has at least one breakage', ['no mutation for this rule']);
		}
	}
	for (const mutation of MUTATIONS) {
		const rule = STATIC_RULES.find((r) => r.id === mutation.rule);
		let reasons: string[];
		try {
			if (!rule) throw new Error(`no rule ${mutation.rule}`);
			const broken = mutation.apply(input);
			reasons = runRule(rule, broken).length > 0 ? [] : ['the rule still passes'];
		} catch (error) {
			reasons = [error instanceof Error ? error.message : String(error)];
		}
		report(`mutation.${mutation.rule}`, `goes red when: ${mutation.what}`, reasons);
	}
}

// ---------------------------------------------------------------------------------------------
// The image's /app, assembled from the final stage's COPY lines

interface Image {
	file: Dockerfile;
	final: Stage;
	workdir: string;
	env: Record<string, string>;
	entrypoint: string[];
	cmd: string[];
	healthcheck: string[];
}

function readImage(text: string): Image {
	const file = parseDockerfile(text);
	const final = file.stages.at(-1);
	if (!final) throw new Error('Dockerfile has no FROM');
	const all = effectiveInstructions(file, final);
	const last = (keyword: string) => all.filter((i) => i.keyword === keyword).at(-1);
	const env: Record<string, string> = {};
	for (const i of all.filter((i) => i.keyword === 'ENV')) {
		for (const { key, value } of keyValues(i)) env[key] = value;
	}
	const healthArgs = /^CMD\s+(.*)$/i.exec(last('HEALTHCHECK')?.args ?? '')?.[1] ?? '';
	return {
		file,
		final,
		workdir: last('WORKDIR')?.args ?? '/',
		env,
		entrypoint: last('ENTRYPOINT')?.exec ?? [],
		cmd: last('CMD')?.exec ?? [],
		healthcheck: healthArgs.startsWith('[') ? (JSON.parse(healthArgs) as string[]) : []
	};
}

/** Copies `sources` (host paths) to `dest` the way COPY does (into it when it ends in `/`). */
function copyLike(sources: string[], dest: string, destIsDir: boolean): void {
	for (const source of sources) {
		if (!existsSync(source)) throw new Error(`COPY source ${source} does not exist`);
		const target = destIsDir ? path.join(dest, path.basename(source)) : dest;
		mkdirSync(path.dirname(target), { recursive: true });
		// A directory's contents go to the target directory, as COPY does.
		cpSync(source, target, { recursive: true, dereference: false });
	}
}

/** Splits a COPY's arguments into sources and destination (shell or JSON form). */
function copyParts(instruction: Instruction): { sources: string[]; dest: string } {
	const parts = instruction.exec ?? instruction.args.split(/\s+/);
	return { sources: parts.slice(0, -1), dest: parts.at(-1) ?? '.' };
}

/**
 * Where a path of stage `stage` comes from on the host: the files the stage's ancestry COPYs from
 * the build context (including `COPY . .`, mapped through WORKDIR); `/app/build` of the build stage
 * is this repository's build/.
 */
function hostPathIn(image: Image, stage: Stage, inImage: string): string {
	const chain = stageAncestry(image.file, stage);
	const workdir =
		chain
			.slice()
			.reverse()
			.flatMap((s) => s.instructions)
			.filter((i) => i.keyword === 'WORKDIR')
			.at(-1)?.args ?? '/';
	const relative = path.relative(workdir, inImage);
	if (relative.startsWith('..')) throw new Error(`${inImage} is outside ${stage.name}'s WORKDIR`);
	return path.join(ROOT, relative);
}

/**
 * Builds the image's WORKDIR in `appDir`. `node_modules` from a stage is a fresh install of that
 * stage's `bun install` command in a directory holding what the stage's ancestry copies from the
 * context (package.json, bun.lock, patches/).
 * @returns the lines it ran, for the log.
 */
async function assembleApp(image: Image, appDir: string): Promise<string[]> {
	const notes: string[] = [];
	for (const copy of image.final.instructions.filter((i) => i.keyword === 'COPY')) {
		const { sources, dest } = copyParts(copy);
		const destAbs = path.join(
			appDir,
			path.relative(image.workdir, path.resolve(image.workdir, dest))
		);
		const destIsDir = dest.endsWith('/') || sources.length > 1;
		const from = copy.flags.find((f) => f.name === 'from')?.value;
		if (!from) {
			copyLike(
				sources.map((s) => path.join(ROOT, s)),
				destAbs,
				destIsDir
			);
			continue;
		}
		const stage = findStage(image.file, from);
		if (!stage) throw new Error(`COPY --from=${from}: no such stage`);
		for (const source of sources) {
			if (path.basename(source) === 'node_modules') {
				const installDir = mkdtempSync(path.join(os.tmpdir(), 'container-check-install-'));
				for (const s of stageAncestry(image.file, stage).reverse()) {
					for (const i of s.instructions.filter(
						(i) => i.keyword === 'COPY' && !i.flags.some((f) => f.name === 'from')
					)) {
						const parts = copyParts(i);
						if (parts.sources.includes('.')) {
							throw new Error(`stage ${from} copies the whole context`);
						}
						copyLike(
							parts.sources.map((p) => path.join(ROOT, p)),
							path.join(installDir, parts.dest),
							parts.dest.endsWith('/') || parts.sources.length > 1
						);
					}
				}
				const install = stage.instructions
					.filter((i) => i.keyword === 'RUN' && /\bbun install\b/.test(i.args))
					.at(-1);
				if (!install) throw new Error(`stage ${from} runs no bun install`);
				const argv = install.args.split(/\s+/).map((a) => (a === 'bun' ? process.execPath : a));
				const run = Bun.spawnSync(argv, { cwd: installDir, stdout: 'pipe', stderr: 'pipe' });
				if (run.exitCode !== 0) {
					throw new Error(`${install.args} failed: ${run.stderr.toString().slice(-500)}`);
				}
				notes.push(`node_modules: ${install.args} (stage ${from})`);
				const target = destIsDir ? path.join(destAbs, 'node_modules') : destAbs;
				mkdirSync(path.dirname(target), { recursive: true });
				renameSync(path.join(installDir, 'node_modules'), target);
				rmSync(installDir, { recursive: true, force: true });
			} else {
				const host = hostPathIn(image, stage, source);
				if (!existsSync(host)) {
					throw new Error(`${host} does not exist (run \`sh scripts/test.sh build\` first)`);
				}
				copyLike([host], destAbs, destIsDir);
			}
		}
	}
	return notes;
}

// ---------------------------------------------------------------------------------------------
// Runs

async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

/** Pids of live processes whose real uid is `uid` (Linux /proc). */
function pidsOfUid(uid: number): number[] {
	return readdirSync('/proc')
		.filter((entry) => /^\d+$/.test(entry))
		.map(Number)
		.filter((pid) => {
			try {
				return processInfo(pid).uid === uid;
			} catch {
				return false;
			}
		});
}

/** A uid/gid no account uses, random so that two checks at once do not meet (20000–59999). */
function throwawayId(): number {
	return 20000 + (randomBytes(2).readUInt16BE() % 40000);
}

/** Docker's `${VAR:-default}` substitution with `vars`. */
function substitute(value: string, vars: Record<string, string>): string {
	return value.replace(
		/\$\{(\w+)(?::?-([^}]*))?\}/g,
		(_, name: string, fallback?: string) => vars[name] || (fallback ?? '')
	);
}

interface RunSpec {
	name: string;
	/** The compose service whose environment is used. */
	composeFile: string;
	/** Environment values replacing the compose file's (host names that only exist in compose). */
	overrides: Record<string, string>;
	/** Start as this uid/gid (like --user); undefined starts as root with PUID/PGID in overrides. */
	user?: { uid: number; gid: number } | undefined;
	/** The uid/gid Bun must end up running as. */
	expect: { uid: number; gid: number };
	/** Secret file contents by name (mounted under /run/secrets). */
	secrets: Record<string, string>;
	/** Values that must appear nowhere in the process environment or output. */
	secretValues: string[];
	/** Extra assertions while the server runs. */
	whileRunning?: () => Promise<string[]>;
}

interface Workspace {
	appDir: string;
	bunDir: string;
	image: Image;
}

function sandboxFor(
	ws: Workspace,
	env: Record<string, string>,
	dataDir: string,
	secretsDir: string,
	user: RunSpec['user']
): SandboxOptions {
	return {
		appDir: ws.appDir,
		bunDir: ws.bunDir,
		dataDir,
		secretsDir,
		env,
		user,
		cwd: ws.image.workdir
	};
}

function secretsFolder(secrets: Record<string, string>): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'container-check-secrets-'));
	for (const [name, value] of Object.entries(secrets)) {
		writeFileSync(path.join(dir, name), `${value}\n`, { mode: 0o444 });
	}
	chmodSync(dir, 0o755);
	return dir;
}

/** The environment Docker would give the container: PATH, HOSTNAME, image ENV, compose environment. */
function containerEnv(ws: Workspace, spec: RunSpec, port: number): Record<string, string> {
	const compose = parseYaml(readFileSync(path.join(ROOT, spec.composeFile), 'utf8')) as {
		services: Record<string, Record<string, unknown>>;
	};
	const env: Record<string, string> = {
		PATH: '/bun:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
		HOSTNAME: 'container-check',
		...ws.image.env
	};
	for (const { key, value } of environmentOf(compose.services.comradarr ?? {})) {
		env[key] = substitute(value, { TZ: 'Europe/Berlin' });
	}
	// Loopback only: the sandbox shares the host's network.
	Object.assign(env, spec.overrides, { PORT: String(port), HOST: '127.0.0.1' });
	return env;
}

/** Polls /health until 200 or the deadline; returns the parsed body or the last problem. */
async function waitForHealth(
	url: string,
	exited: () => boolean
): Promise<{ body?: unknown; problem?: string }> {
	const deadline = Date.now() + HEALTH_WAIT_MS;
	let problem = 'no answer';
	while (Date.now() < deadline) {
		if (exited()) return { problem: 'the server exited before /health answered' };
		try {
			const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
			if (response.status === 200) return { body: await response.json() };
			problem = `status ${response.status}`;
		} catch (error) {
			problem = error instanceof Error ? error.message : String(error);
		}
		await Bun.sleep(250);
	}
	return { problem: `no 200 from ${url} within ${HEALTH_WAIT_MS / 1000} s (${problem})` };
}

async function runServer(ws: Workspace, spec: RunSpec): Promise<void> {
	console.log(`== run: ${spec.name}`);
	const dataDir = mkdtempSync(path.join(os.tmpdir(), 'container-check-data-'));
	if (spec.user) chownSync(dataDir, spec.user.uid, spec.user.gid);
	const secretsDir = secretsFolder(spec.secrets);
	const port = await freePort();
	const env = containerEnv(ws, spec, port);
	const options = sandboxFor(ws, env, dataDir, secretsDir, spec.user);
	const id = (check: string) => `run.${spec.name}.${check}`;

	// The sandbox itself: read-only except /data and /tmp (else a pass below would prove nothing).
	const probe = await runSandboxed(options, [
		'sh',
		'-c',
		'touch /app/x 2>/dev/null && echo app-writable; touch /etc/x 2>/dev/null && echo etc-writable; ' +
			'touch /data/.probe && rm /data/.probe && echo data-ok; touch /tmp/x && echo tmp-ok'
	]);
	report(id('read-only-root'), 'the sandbox root is read-only; /data and /tmp are writable', [
		...(probe.output.includes('writable')
			? [`writable outside /data: ${probe.output.trim()}`]
			: []),
		...(probe.output.includes('data-ok') ? [] : ['/data is not writable']),
		...(probe.output.includes('tmp-ok') ? [] : ['/tmp is not writable'])
	]);

	// TZ from the compose file (TZ=${TZ:-UTC}, given Europe/Berlin) reaches Bun's Date.
	const tz = await runSandboxed(options, ['bun', '-e', 'console.log(new Date(0).toString())']);
	report(
		id('tz'),
		`TZ=${env.TZ} changes new Date().toString()`,
		/GMT\+0100/.test(tz.output) ? [] : [`got ${tz.output.trim()}`]
	);

	const command = [...ws.image.entrypoint, ...ws.image.cmd];
	const child = spawnSandboxed(options, command);
	let output = '';
	child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
	const exited = new Promise<void>((resolve) =>
		child.on('exit', (code, signal) => {
			exit = { code, signal };
			resolve();
		})
	);
	try {
		const health = await waitForHealth(`http://127.0.0.1:${port}/health`, () => exit !== undefined);
		const body = health.body as { status?: string; database?: string } | undefined;
		const healthReasons = health.problem ? [health.problem] : [];
		if (body && (body.status !== 'ok' || body.database !== 'ok')) {
			healthReasons.push(`body ${JSON.stringify(body)}`);
		}
		const bodyText = JSON.stringify(body ?? {});
		for (const secret of spec.secretValues) {
			if (bodyText.includes(secret)) healthReasons.push('a secret is in /health');
		}
		report(
			id('health'),
			`${command.join(' ')} answers /health 200 {status: ok, database: ok} within 60 s`,
			healthReasons
		);
		if (health.problem) {
			console.log(output.slice(-3000));
			return;
		}

		const hc = await runSandboxed({ ...options, user: spec.user }, ws.image.healthcheck);
		report(
			id('healthcheck'),
			`HEALTHCHECK ${ws.image.healthcheck.join(' ')} exits 0`,
			hc.status === 0 ? [] : [`status ${hc.status}: ${hc.output.trim()}`]
		);

		const bun = child.pid ? sandboxedCommand(child.pid) : undefined;
		const procReasons: string[] = [];
		if (!bun) procReasons.push('no process under the sandbox');
		else {
			if (!bun.exe.startsWith('bun')) {
				procReasons.push(`the sandbox runs ${bun.exe}, not Bun (a shell stayed in between?)`);
			}
			if (bun.uid !== spec.expect.uid || bun.gid !== spec.expect.gid) {
				procReasons.push(
					`runs as ${bun.uid}:${bun.gid}, expected ${spec.expect.uid}:${spec.expect.gid}`
				);
			}
		}
		report(
			id('process'),
			`the entrypoint exec'd Bun directly (no shell left), as uid:gid ${spec.expect.uid}:${spec.expect.gid}`,
			procReasons
		);

		const environ = bun ? processInfo(bun.pid).environ.join('\n') : '';
		const leaked = spec.secretValues.filter((s) => environ.includes(s) || output.includes(s));
		report(
			id('no-secret-leak'),
			'no secret value in /proc/<pid>/environ or the output; the *_FILE paths are there',
			[
				...leaked.map((s) => `secret ${s.slice(0, 3)}… leaked`),
				...(environ.includes('SECRET_KEY_FILE=/run/secrets/')
					? []
					: ['SECRET_KEY_FILE is not in the environment'])
			]
		);
		const dataOwner = statSync(dataDir);
		report(
			id('data-owner'),
			`/data belongs to ${spec.expect.uid}:${spec.expect.gid}`,
			dataOwner.uid === spec.expect.uid && dataOwner.gid === spec.expect.gid
				? []
				: [`owned by ${dataOwner.uid}:${dataOwner.gid}`]
		);
		if (spec.whileRunning) {
			report(id('database'), 'the server uses the configured database', await spec.whileRunning());
		}

		const stopReasons: string[] = [];
		if (bun) process.kill(bun.pid, 'SIGTERM');
		const stopped = await Promise.race([
			exited.then(() => true),
			Bun.sleep(STOP_WAIT_MS).then(() => false)
		]);
		if (!stopped) stopReasons.push(`still running ${STOP_WAIT_MS / 1000} s after SIGTERM`);
		else if (exit?.code !== 0) stopReasons.push(`exit ${JSON.stringify(exit)}`);
		const leftovers = pidsOfUid(spec.expect.uid);
		if (leftovers.length > 0) {
			stopReasons.push(`processes of uid ${spec.expect.uid} left: ${leftovers.join(' ')}`);
		}
		report(
			id('sigterm'),
			`SIGTERM to Bun: exit status 0 within ${STOP_WAIT_MS / 1000} s, nothing left running`,
			stopReasons
		);
		if (stopReasons.length > 0 || leaked.length > 0) console.log(output.slice(-3000));
	} finally {
		if (exit === undefined) {
			child.kill('SIGKILL');
			await exited;
		}
		// The uid is this run's own (random): whatever still runs under it was started here.
		for (const pid of pidsOfUid(spec.expect.uid)) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// already gone
			}
		}
		rmSync(dataDir, { recursive: true, force: true });
		rmSync(secretsDir, { recursive: true, force: true });
	}
}

/** A missing DATABASE_PASSWORD_FILE stops start-up with a non-zero status naming the variable. */
async function runMissingPassword(ws: Workspace, spec: RunSpec): Promise<void> {
	const dataDir = mkdtempSync(path.join(os.tmpdir(), 'container-check-data-'));
	if (spec.user) chownSync(dataDir, spec.user.uid, spec.user.gid);
	const secretsDir = secretsFolder({ secret_key: spec.secrets.secret_key ?? 'x' });
	const env = containerEnv(ws, spec, await freePort());
	try {
		const result = await runSandboxed(
			sandboxFor(ws, env, dataDir, secretsDir, spec.user),
			[...ws.image.entrypoint, ...ws.image.cmd],
			STOP_WAIT_MS
		);
		const reasons: string[] = [];
		if (result.status === 0 || result.status === null) reasons.push(`status ${result.status}`);
		if (!/DATABASE_PASSWORD_FILE \/run\/secrets\/db_password cannot be read/.test(result.output)) {
			reasons.push(`output does not name DATABASE_PASSWORD_FILE: ${result.output.slice(-400)}`);
		}
		report(
			'run.missing-password-file',
			'a missing DATABASE_PASSWORD_FILE stops start-up (status ≠ 0, names the variable)',
			reasons
		);
	} finally {
		rmSync(dataDir, { recursive: true, force: true });
		rmSync(secretsDir, { recursive: true, force: true });
	}
}

async function runAll(input: StaticInput): Promise<void> {
	console.log('== assembling the image (final stage COPY lines)');
	if (process.getuid?.() !== 0) {
		report('run.root', 'runs as root (to start the server under other uids)', [
			`running as uid ${process.getuid?.()}: run container:check as root`
		]);
		return;
	}
	const tools = ['bwrap', 'setpriv'].filter((tool) => Bun.which(tool) === null);
	if (tools.length > 0) {
		report('run.tools', 'bwrap and setpriv are installed', [
			`missing: ${tools.join(', ')} (apt-get install bubblewrap)`
		]);
		return;
	}
	const image = readImage(input.dockerfile);
	const appDir = mkdtempSync(path.join(os.tmpdir(), 'container-check-app-'));
	const bunDir = mkdtempSync(path.join(os.tmpdir(), 'container-check-bun-'));
	chmodSync(appDir, 0o755);
	chmodSync(bunDir, 0o755);
	symlinkSync(process.execPath, path.join(bunDir, 'bun'));
	const ws: Workspace = { appDir, bunDir, image };
	const adminUrl =
		process.env.CONTAINER_CHECK_DATABASE_URL ||
		process.env.TEST_DATABASE_URL ||
		'postgres://root@127.0.0.1:5432/postgres';
	const admin = new SQL(adminUrl, { max: 1 });
	const suffix = randomBytes(4).toString('hex');
	const role = `container_check_${suffix}`;
	const database = `container_check_${suffix}`;
	let created = false;
	try {
		let notes: string[] = [];
		try {
			notes = await assembleApp(image, appDir);
			report('run.assemble', `/app from the final stage's COPY lines (${notes.join('; ')})`, []);
		} catch (error) {
			report('run.assemble', "/app from the final stage's COPY lines", [
				error instanceof Error ? error.message : String(error)
			]);
			return;
		}
		const dbPassword = randomBytes(18).toString('base64url');
		const secretKey = randomBytes(32).toString('hex');
		const pg = new URL(adminUrl);
		const externalId = throwawayId();
		let puid = throwawayId();
		while (puid === externalId) puid = throwawayId();
		try {
			await admin.unsafe(`create role ${role} login password '${dbPassword}'`);
			await admin.unsafe(`create database ${database} owner ${role}`);
			created = true;
		} catch (error) {
			report('run.external.database-admin', `a throwaway role and database on ${pg.host}`, [
				`${error instanceof Error ? error.message : String(error)} (set TEST_DATABASE_URL to a PostgreSQL superuser URL)`
			]);
		}
		const external: RunSpec = {
			name: 'external',
			composeFile: 'docker-compose.yml',
			overrides: {
				DATABASE_URL: `postgres://${role}@${pg.hostname}:${pg.port || 5432}/${database}`
			},
			user: { uid: externalId, gid: externalId },
			expect: { uid: externalId, gid: externalId },
			secrets: { db_password: dbPassword, secret_key: secretKey },
			secretValues: [dbPassword, secretKey],
			async whileRunning() {
				const rows =
					await admin`select count(*)::int as n from pg_stat_activity where usename = ${role} and datname = ${database}`;
				const n = (rows[0] as { n: number }).n;
				return n > 0 ? [] : [`no connection of role ${role} to ${database}`];
			}
		};
		if (created) {
			await runServer(ws, external);
			await runMissingPassword(ws, external);
		}
		const embeddedKey = randomBytes(32).toString('hex');
		await runServer(ws, {
			name: 'embedded-puid',
			composeFile: 'docker-compose.embedded.yml',
			overrides: { PUID: String(puid), PGID: String(puid) },
			expect: { uid: puid, gid: puid },
			secrets: { secret_key: embeddedKey },
			secretValues: [embeddedKey]
		});
	} finally {
		if (created) {
			await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${database}`;
			await admin.unsafe(`drop database if exists ${database}`);
			await admin.unsafe(`drop role if exists ${role}`);
		}
		await admin.close();
		rmSync(appDir, { recursive: true, force: true });
		rmSync(bunDir, { recursive: true, force: true });
	}
}

const input = staticInput();
runStatic(input);
if (!process.argv.includes('--static')) {
	try {
		await runAll(input);
	} catch (error) {
		report('run', 'the runs completed', [
			error instanceof Error ? (error.stack ?? error.message) : String(error)
		]);
	}
}
console.log(`container:check: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
