/**
 * Runs a command the way the image would, without Docker: in a bubblewrap (`bwrap`, Debian's
 * `bubblewrap` package) mount namespace whose root filesystem is read-only, with a writable `/data`
 * (a host directory), a fresh tmpfs on `/tmp`, read-only Docker-style secrets on `/run/secrets`, the
 * image's `/app` (a host directory assembled from the Dockerfile's COPY lines) and an empty
 * environment plus the given one. Optionally started under another uid/gid with `setpriv` (as
 * `docker run --user` would); otherwise it starts as the caller (root here, as `user: "0:0"`).
 *
 * Facts this relies on, checked on this machine kind (Debian 12, root): bwrap works as root and,
 * through an unprivileged user namespace, as any uid; the host's `/` cannot take new mount points,
 * so the sandbox's root is bwrap's own tmpfs with the host's top-level directories bound read-only
 * into it, remounted read-only at the end (`--remount-ro /`). bwrap forks: the command runs as its
 * child, and bwrap exits with the child's status.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface SandboxOptions {
	/** Host directory mounted read-write on /data. */
	dataDir: string;
	/** Host directory mounted read-only on /app (the image's WORKDIR). */
	appDir: string;
	/** Host directory mounted read-only on /run/secrets. */
	secretsDir: string;
	/** Host directory with a `bun` link, mounted read-only on /bun (first on PATH). */
	bunDir: string;
	/** The whole environment of the command (nothing is inherited). */
	env: Record<string, string>;
	/** Start as this uid:gid through setpriv; undefined starts as the caller (root). */
	user?: { uid: number; gid: number } | undefined;
	/** Working directory inside the sandbox. */
	cwd: string;
}

/** Top-level host directories the sandbox does not take from the host. */
const OWN_MOUNTS = new Set(['data', 'tmp', 'proc', 'dev', 'sys', 'run', 'app', 'bun']);

/** bwrap's arguments for `options`, then `--` and the command. */
export function bwrapArgs(options: SandboxOptions, command: string[]): string[] {
	const args: string[] = [];
	for (const entry of readdirSync('/')) {
		if (OWN_MOUNTS.has(entry)) continue;
		const full = `/${entry}`;
		const stat = lstatSync(full);
		if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(full), full);
		else if (stat.isDirectory()) args.push('--ro-bind', full, full);
	}
	args.push(
		'--dev',
		'/dev',
		'--proc',
		'/proc',
		// Docker's tmpfs mounts are 1777 (bwrap's default is 0755: root-owned when started as root).
		'--perms',
		'1777',
		'--tmpfs',
		'/tmp',
		'--dir',
		'/run',
		'--ro-bind',
		options.secretsDir,
		'/run/secrets',
		'--bind',
		options.dataDir,
		'/data',
		'--ro-bind',
		options.appDir,
		'/app',
		'--ro-bind',
		options.bunDir,
		'/bun',
		'--remount-ro',
		'/',
		'--chdir',
		options.cwd,
		'--die-with-parent',
		'--clearenv'
	);
	for (const [key, value] of Object.entries(options.env)) args.push('--setenv', key, value);
	args.push('--', ...command);
	return args;
}

/** Spawns `command` in the sandbox; stdout and stderr are piped. */
export function spawnSandboxed(options: SandboxOptions, command: string[]): ChildProcess {
	const bwrap: [string, ...string[]] = ['bwrap', ...bwrapArgs(options, command)];
	const argv: [string, ...string[]] = options.user
		? [
				'setpriv',
				`--reuid=${options.user.uid}`,
				`--regid=${options.user.gid}`,
				'--clear-groups',
				'--',
				...bwrap
			]
		: bwrap;
	return spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: {} });
}

/** Runs a short command in the sandbox; resolves with its status and output (bounded by `ms`). */
export function runSandboxed(
	options: SandboxOptions,
	command: string[],
	ms = 30_000
): Promise<{ status: number | null; output: string }> {
	return new Promise((resolve) => {
		const child = spawnSandboxed(options, command);
		let output = '';
		child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		const timer = setTimeout(() => child.kill('SIGKILL'), ms);
		child.on('close', (status) => {
			clearTimeout(timer);
			resolve({ status, output });
		});
	});
}

/** The pids of `pid`'s children (Linux /proc). */
export function childrenOf(pid: number): number[] {
	try {
		const tasks = readdirSync(`/proc/${pid}/task`);
		return tasks.flatMap((task) => {
			try {
				return readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
					.trim()
					.split(/\s+/)
					.filter(Boolean)
					.map(Number);
			} catch {
				return [];
			}
		});
	} catch {
		return [];
	}
}

export interface ProcessInfo {
	pid: number;
	/** Basename of /proc/<pid>/exe. */
	exe: string;
	uid: number;
	gid: number;
	/** NUL-separated environment, split. */
	environ: string[];
}

/** Reads a process's executable, real uid/gid and environment from /proc. */
export function processInfo(pid: number): ProcessInfo {
	const exe = readlinkSync(`/proc/${pid}/exe`).split('/').at(-1) ?? '';
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
	const gid = Number(/^Gid:\s+(\d+)/m.exec(status)?.[1]);
	const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
	return { pid, exe, uid, gid, environ };
}

/**
 * The first process under `pid` that is not bwrap or setpriv (the command the sandbox runs), after
 * following exec chains; undefined when none is there yet.
 */
export function sandboxedCommand(pid: number): ProcessInfo | undefined {
	let current = [pid];
	for (let depth = 0; depth < 4 && current.length > 0; depth += 1) {
		const next: number[] = [];
		for (const candidate of current) {
			let info: ProcessInfo;
			try {
				info = processInfo(candidate);
			} catch {
				continue;
			}
			if (info.exe === 'bwrap' || info.exe === 'setpriv') next.push(...childrenOf(candidate));
			else return info;
		}
		current = next;
	}
	return undefined;
}
