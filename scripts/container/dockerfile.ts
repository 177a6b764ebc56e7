/**
 * A small parser of Dockerfile instructions, enough for container:check's lint rules: stages,
 * instructions with their `--flags`, exec-form (JSON array) arguments.
 *
 * Follows the Dockerfile reference (https://docs.docker.com/reference/dockerfile/): a line starting
 * with `#` is a comment (parser directives included), a trailing `\` continues the instruction on
 * the next line (comment lines inside a continuation are skipped), keywords are case-insensitive,
 * `FROM image [AS name]` starts a stage. Heredocs (`<<EOF`) and a custom escape directive are not
 * supported (this repository uses neither); `parseDockerfile` throws on a heredoc rather than
 * misreading it.
 */

export interface Instruction {
	/** Upper-case keyword: FROM, RUN, COPY, ENV… */
	keyword: string;
	/** `--name=value` flags before the arguments (`--mount=type=cache,target=…` → key `mount`). */
	flags: { name: string; value: string }[];
	/** The arguments after the flags, continuation lines joined with a space. */
	args: string;
	/** The exec form's array when the arguments are a JSON array of strings, else undefined. */
	exec: string[] | undefined;
	/** 1-based line of the keyword. */
	line: number;
}

export interface Stage {
	/** The image or earlier stage named by FROM. */
	from: string;
	/** The `AS` name, lower-cased, or undefined. */
	name: string | undefined;
	/** 0-based position among the stages. */
	index: number;
	/** The instructions after FROM (FROM itself excluded). */
	instructions: Instruction[];
}

export interface Dockerfile {
	/** Instructions before the first FROM (ARG only, by the reference). */
	preamble: Instruction[];
	stages: Stage[];
}

/** Parses an exec-form argument list, or returns undefined for the shell form. */
export function parseExecForm(args: string): string[] | undefined {
	const text = args.trim();
	if (!text.startsWith('[')) return undefined;
	try {
		const value: unknown = JSON.parse(text);
		if (Array.isArray(value) && value.every((part) => typeof part === 'string')) {
			return value as string[];
		}
	} catch {
		// Not valid JSON: Docker runs it in the shell form.
	}
	return undefined;
}

/** Splits leading `--flag=value` / `--flag` words off an instruction's arguments. */
function splitFlags(rest: string): { flags: Instruction['flags']; args: string } {
	const flags: Instruction['flags'] = [];
	let text = rest.trimStart();
	for (;;) {
		const match = /^--([A-Za-z][\w-]*)(?:=(\S*))?(?:\s+|$)/.exec(text);
		if (!match) break;
		flags.push({ name: (match[1] ?? '').toLowerCase(), value: match[2] ?? '' });
		text = text.slice(match[0].length);
	}
	return { flags, args: text.trim() };
}

/**
 * Parses Dockerfile text into stages.
 * @throws Error on a heredoc, an instruction before the first FROM other than ARG, or no FROM.
 */
export function parseDockerfile(text: string): Dockerfile {
	const lines = text.split(/\r?\n/);
	const instructions: Instruction[] = [];
	let index = 0;
	while (index < lines.length) {
		const raw = lines[index] ?? '';
		const trimmed = raw.trim();
		if (trimmed === '' || trimmed.startsWith('#')) {
			index += 1;
			continue;
		}
		const line = index + 1;
		let joined = '';
		let current: string = raw;
		for (;;) {
			const continued = /\\\s*$/.test(current);
			joined += (joined ? ' ' : '') + current.replace(/\\\s*$/, '').trim();
			index += 1;
			if (!continued) break;
			// Skip comment and empty lines inside a continuation, as Docker does.
			while (index < lines.length && /^\s*(#.*)?$/.test(lines[index] ?? '')) {
				index += 1;
			}
			if (index >= lines.length) break;
			current = lines[index] ?? '';
		}
		const match = /^([A-Za-z]+)\s*(.*)$/.exec(joined);
		if (!match) throw new Error(`Dockerfile line ${line}: not an instruction: ${joined}`);
		const keyword = (match[1] ?? '').toUpperCase();
		const rest = match[2] ?? '';
		if (/<<-?["']?[A-Za-z_]/.test(rest) && ['RUN', 'COPY', 'ADD'].includes(keyword)) {
			throw new Error(`Dockerfile line ${line}: heredocs are not supported by this parser`);
		}
		const { flags, args } = splitFlags(rest);
		instructions.push({ keyword, flags, args, exec: parseExecForm(args), line });
	}

	const result: Dockerfile = { preamble: [], stages: [] };
	for (const instruction of instructions) {
		if (instruction.keyword === 'FROM') {
			const [from = '', as, name] = instruction.args.split(/\s+/);
			result.stages.push({
				from,
				name: as?.toUpperCase() === 'AS' && name ? name.toLowerCase() : undefined,
				index: result.stages.length,
				instructions: []
			});
		} else if (result.stages.length === 0) {
			if (instruction.keyword !== 'ARG') {
				throw new Error(`Dockerfile line ${instruction.line}: ${instruction.keyword} before FROM`);
			}
			result.preamble.push(instruction);
		} else {
			result.stages[result.stages.length - 1]?.instructions.push(instruction);
		}
	}
	if (result.stages.length === 0) throw new Error('Dockerfile has no FROM');
	return result;
}

/** The stage named `name` (case-insensitive) or at numeric index `name`, or undefined. */
export function findStage(file: Dockerfile, name: string): Stage | undefined {
	if (/^\d+$/.test(name)) return file.stages[Number(name)];
	return file.stages.find((stage) => stage.name === name.toLowerCase());
}

/** The stage and its ancestors (stages it is built FROM), nearest first. */
export function stageAncestry(file: Dockerfile, stage: Stage): Stage[] {
	const chain: Stage[] = [];
	let current: Stage | undefined = stage;
	while (current && !chain.includes(current)) {
		chain.push(current);
		current = findStage(file, current.from);
		if (current && current.index >= (chain.at(-1)?.index ?? 0)) break;
	}
	return chain;
}

/** All instructions that apply to `stage`, inherited ones first (for ENV, USER, WORKDIR…). */
export function effectiveInstructions(file: Dockerfile, stage: Stage): Instruction[] {
	return stageAncestry(file, stage)
		.reverse()
		.flatMap((s) => s.instructions);
}

/**
 * `ENV` / `ARG` pairs of an instruction: `ENV A=1 B="two words"` and the legacy `ENV A value`.
 * Quotes are removed; no variable expansion.
 */
export function keyValues(instruction: Instruction): { key: string; value: string }[] {
	const text = instruction.args;
	if (!/^[A-Za-z_][\w.-]*=/.test(text)) {
		const [key, ...rest] = text.split(/\s+/);
		return key ? [{ key, value: rest.join(' ') }] : [];
	}
	const pairs: { key: string; value: string }[] = [];
	const pattern = /([A-Za-z_][\w.-]*)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|\S*))?/g;
	for (const match of text.matchAll(pattern)) {
		const value = match[2] ?? '';
		pairs.push({ key: match[1] ?? '', value: value.replace(/^(["'])([\s\S]*)\1$/, '$2') });
	}
	return pairs;
}
