/**
 * The *arr command queue, simulated with lazy, deterministic time evaluation.
 *
 * Nothing runs on timers. Every request (and every accessor of the instance) calls
 * {@link CommandQueue.advance} with the current clock; `advance` replays, in time order, every
 * transition that should have happened since the last call:
 *
 * - a queued command starts at `max(queuedAt, time a slot frees)`, FIFO, at most
 *   {@link MAX_STARTED} started at once (the apps' thread limit);
 * - a started command completes `durationMs` after it started; completions that coincide with a
 *   start are processed first, so the freed slot is reused at the same instant.
 *
 * So with a frozen clock nothing moves, and with a test-controlled clock the observed states are
 * exact. A `POST /command` answers `queued` (the new command is created after advancing); the
 * next request at the same instant or later already sees it `started` if a slot was free.
 *
 * Facts (../shared/arr-api/README.md §3): flat body `{name, ...props}`, name matched
 * case-insensitively, unknown name → 500, missing name → 400 validation array, 201 + Location,
 * identical queued/started command → the existing one, list keeps finished commands ~5 minutes.
 */
import {
	errorResponse,
	problemDetails,
	splitCamelCase,
	validationFailure,
	wireDate,
	wireTimeSpan,
	type JsonObject
} from './wire';

/** Sonarr/Radarr `CommandStatus`. */
export type CommandStatus =
	'queued' | 'started' | 'completed' | 'failed' | 'aborted' | 'cancelled' | 'orphaned';
/** Sonarr/Radarr `CommandResult`. */
export type CommandResult = 'unknown' | 'successful' | 'unsuccessful';

/** The apps run at most this many commands at the same time. */
export const MAX_STARTED = 3;
/** Finished commands stay in `GET /api/v3/command` this long after `ended` (ms). */
export const FINISHED_VISIBLE_MS = 5 * 60_000;

/** One property of a command body. */
export interface CommandPropSpec {
	name: string;
	type: 'int' | 'int[]' | 'bool' | 'string';
	/** Used when the property is absent from the POST body. */
	default?: number | boolean | string | number[];
	/** Legacy single-value alias folded into an `int[]` property (`seriesId` → `seriesIds`). */
	alias?: string;
}

/** A command class the simulated app knows. */
export interface CommandDef {
	/** Canonical name, e.g. `EpisodeSearch`. */
	name: string;
	props: CommandPropSpec[];
	sendUpdatesToClient: boolean;
	/** `false` when the body targets specific items (a "refresh these" command). */
	updateScheduledTask: boolean | ((props: Record<string, unknown>) => boolean);
	isLongRunning: boolean;
	isExclusive: boolean;
	requiresDiskAccess: boolean;
}

/** A command as the simulator stores it; `body` is the serialized `CommandResource.body`. */
export interface SimCommand {
	id: number;
	/** Canonical name, e.g. `EpisodeSearch`, whatever case the client used. */
	name: string;
	/** `Episode Search`. */
	commandName: string;
	/** The command's own properties after case-insensitive binding and defaults. */
	props: Record<string, unknown>;
	body: JsonObject;
	status: CommandStatus;
	result: CommandResult;
	priority: 'normal';
	trigger: 'manual';
	queued: Date;
	started: Date | null;
	ended: Date | null;
	message: string | null;
	exception: string | null;
	clientUserAgent: string | null;
	/** Episode/movie ids the command searched (set when it starts). */
	searchedIds: number[];
	/** Episode/movie ids that gained a file or an upgrade when it completed. */
	grabbedIds: number[];
}

/** App-specific effects of commands. */
export interface CommandExecutor {
	/** Called when `cmd` starts at `at`; returns the ids it searches (sets `lastSearchTime`). */
	onStart(cmd: SimCommand, at: Date): number[];
	/** Called when `cmd` finishes at `at`; applies grabs and returns the outcome. */
	onComplete(cmd: SimCommand, at: Date): CommandOutcome;
}

/** What a finished command reports. */
export type CommandOutcome =
	| { ok: true; message: string; grabbedIds: number[] }
	| { ok: false; message: string; exception: string; grabbedIds: number[] };

/** Result of `POST /api/v3/command` processing. */
export type SubmitResult =
	{ ok: true; command: SimCommand; created: boolean } | { ok: false; response: Response };

/**
 * FIFO command queue with lazy time evaluation (see module docs).
 */
export class CommandQueue {
	/** Every command ever created, by ascending id. */
	readonly all: SimCommand[] = [];
	private readonly byId = new Map<number, SimCommand>();
	private queue: SimCommand[] = [];
	private running: SimCommand[] = [];
	/** Queued or started commands by de-duplication key. */
	private readonly active = new Map<string, SimCommand>();
	private nextId = 1;
	private cursor = 0;

	constructor(
		private readonly defs: readonly CommandDef[],
		private readonly executor: CommandExecutor,
		private readonly settings: { durationMs: number; typeExclusiveFlag: boolean }
	) {}

	/** Forgets every command (ids restart at 1). */
	reset(): void {
		this.all.length = 0;
		this.byId.clear();
		this.queue = [];
		this.running = [];
		this.active.clear();
		this.nextId = 1;
		this.cursor = 0;
	}

	/** Replays all start/complete transitions due at or before `nowMs` (ms epoch). */
	advance(nowMs: number): void {
		for (;;) {
			let nextEnd = Infinity;
			let ender: SimCommand | undefined;
			for (const c of this.running) {
				const end = (c.started?.getTime() ?? 0) + this.settings.durationMs;
				if (end < nextEnd) {
					nextEnd = end;
					ender = c;
				}
			}
			const head = this.queue[0];
			const nextStart =
				head && this.running.length < MAX_STARTED
					? Math.max(head.queued.getTime(), this.cursor)
					: Infinity;
			const t = Math.min(nextEnd, nextStart);
			if (t === Infinity || t > nowMs) {
				return;
			}
			this.cursor = t;
			if (ender && nextEnd <= nextStart) {
				this.finish(ender, new Date(nextEnd));
			} else if (head) {
				this.queue.shift();
				this.start(head, new Date(nextStart));
			}
		}
	}

	private start(cmd: SimCommand, at: Date): void {
		cmd.status = 'started';
		cmd.started = at;
		this.running.push(cmd);
		cmd.searchedIds = this.executor.onStart(cmd, at);
	}

	private finish(cmd: SimCommand, at: Date): void {
		this.running = this.running.filter((c) => c !== cmd);
		this.active.delete(dedupKey(cmd.name, cmd.props));
		cmd.ended = at;
		const outcome = this.executor.onComplete(cmd, at);
		if (outcome.ok) {
			cmd.status = 'completed';
			cmd.result = 'successful';
			cmd.message = outcome.message;
			cmd.grabbedIds = outcome.grabbedIds;
		} else {
			// A failed command keeps result 'unknown' (source: CommandQueueManager.Fail).
			cmd.status = 'failed';
			cmd.message = outcome.message;
			cmd.exception = outcome.exception;
			cmd.grabbedIds = outcome.grabbedIds;
		}
	}

	/** Command by id, or `undefined`. */
	get(id: number): SimCommand | undefined {
		return this.byId.get(id);
	}

	/**
	 * What `GET /api/v3/command` lists at `nowMs`: unfinished commands and those that ended less
	 * than 5 minutes ago; started first, then queued, then finished (source: CommandController
	 * orders by status with CommandPriorityComparer), by id within a status.
	 */
	list(nowMs: number): SimCommand[] {
		const rank = (c: SimCommand): number =>
			c.status === 'started' ? 0 : c.status === 'queued' ? 1 : 2;
		return this.all
			.filter((c) => c.ended === null || c.ended.getTime() + FINISHED_VISIBLE_MS > nowMs)
			.sort((a, b) => rank(a) - rank(b) || a.id - b.id);
	}

	/**
	 * Binds a POST body to a known command and queues it, or returns the identical queued/started
	 * command, or an error response (400 validation array / 400 ProblemDetails / 500).
	 */
	submit(raw: unknown, userAgent: string | null, nowMs: number): SubmitResult {
		if (raw === null || raw === undefined) {
			return {
				ok: false,
				response: problemDetails({ '': ['A non-empty request body is required.'] })
			};
		}
		if (typeof raw !== 'object' || Array.isArray(raw)) {
			return {
				ok: false,
				response: problemDetails({
					$: ['The JSON value could not be converted to CommandResource. Path: $']
				})
			};
		}
		const body = raw as Record<string, unknown>;
		const lookup = new Map<string, unknown>();
		for (const [k, v] of Object.entries(body)) {
			lookup.set(k.toLowerCase(), v);
		}
		const nameValue = lookup.get('name');
		if (nameValue !== undefined && nameValue !== null && typeof nameValue !== 'string') {
			return {
				ok: false,
				response: problemDetails({
					'$.name': ['The JSON value could not be converted to System.String. Path: $.name']
				})
			};
		}
		if (typeof nameValue !== 'string' || nameValue.trim() === '') {
			return {
				ok: false,
				response: validationFailure('Name', "'Name' must not be empty.", 'NotEmptyValidator')
			};
		}
		const def = this.defs.find((d) => d.name.toLowerCase() === nameValue.toLowerCase());
		if (!def) {
			return {
				ok: false,
				response: errorResponse(
					500,
					'Sequence contains no matching element',
					'System.InvalidOperationException: Sequence contains no matching element\n   at System.Linq.ThrowHelper.ThrowNoMatchException()\n   at System.Linq.Enumerable.Single[TSource](IEnumerable`1 source, Func`2 predicate)'
				)
			};
		}
		const props: Record<string, unknown> = {};
		for (const spec of def.props) {
			let value = lookup.get(spec.name.toLowerCase());
			if ((value === undefined || value === null) && spec.alias) {
				const aliased = lookup.get(spec.alias.toLowerCase());
				if (typeof aliased === 'number') {
					value = [aliased];
				}
			}
			if (value === undefined || value === null) {
				if (spec.default !== undefined) {
					props[spec.name] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
				}
				continue;
			}
			if (!matchesType(value, spec.type)) {
				const clr = {
					int: 'System.Int32',
					'int[]': 'System.Int32[]',
					bool: 'System.Boolean',
					string: 'System.String'
				}[spec.type];
				return {
					ok: false,
					response: problemDetails({
						[`$.${spec.name}`]: [
							`The JSON value could not be converted to ${clr}. Path: $.${spec.name}`
						]
					})
				};
			}
			props[spec.name] = Array.isArray(value) ? [...(value as number[])] : value;
		}
		this.advance(nowMs);
		const key = dedupKey(def.name, props);
		const existing = this.active.get(key);
		if (existing) {
			return { ok: true, command: existing, created: false };
		}
		const updateScheduledTask =
			typeof def.updateScheduledTask === 'function'
				? def.updateScheduledTask(props)
				: def.updateScheduledTask;
		const wireBody: JsonObject = {};
		for (const [k, v] of Object.entries(props)) {
			wireBody[k] = v as number | boolean | string | number[];
		}
		// Source: CommandController.StartCommand sets SuppressMessages = !SendUpdatesToClient, then
		// SendUpdatesToClient = true, for every command posted through the API.
		const clientWantsUpdates = lookup.get('sendupdatestoclient') === true;
		Object.assign(wireBody, {
			sendUpdatesToClient: true,
			updateScheduledTask,
			completionMessage: 'Completed',
			requiresDiskAccess: def.requiresDiskAccess,
			isExclusive: def.isExclusive,
			...(this.settings.typeExclusiveFlag ? { isTypeExclusive: false } : {}),
			isLongRunning: def.isLongRunning,
			name: def.name,
			trigger: 'manual',
			suppressMessages: !(def.sendUpdatesToClient || clientWantsUpdates),
			clientUserAgent: userAgent ?? undefined
		});
		const cmd: SimCommand = {
			id: this.nextId++,
			name: def.name,
			commandName: splitCamelCase(def.name),
			props,
			body: wireBody,
			status: 'queued',
			result: 'unknown',
			priority: 'normal',
			trigger: 'manual',
			queued: new Date(nowMs),
			started: null,
			ended: null,
			message: null,
			exception: null,
			clientUserAgent: userAgent,
			searchedIds: [],
			grabbedIds: []
		};
		this.all.push(cmd);
		this.byId.set(cmd.id, cmd);
		this.queue.push(cmd);
		this.active.set(key, cmd);
		return { ok: true, command: cmd, created: true };
	}
}

function matchesType(value: unknown, type: CommandPropSpec['type']): boolean {
	switch (type) {
		case 'int':
			return typeof value === 'number' && Number.isInteger(value);
		case 'int[]':
			return (
				Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isInteger(v))
			);
		case 'bool':
			return typeof value === 'boolean';
		case 'string':
			return typeof value === 'string';
	}
}

/** Equality of commands: same name and same props, int lists compared as sets in any order. */
export function dedupKey(name: string, props: Record<string, unknown>): string {
	const entries = Object.keys(props)
		.sort()
		.map((k) => {
			const v = props[k];
			return [k, Array.isArray(v) ? [...new Set(v as number[])].sort((a, b) => a - b) : v];
		});
	return `${name}:${JSON.stringify(entries)}`;
}

/** Serializes a command as `CommandResource` (nulls omitted, dates without fractions). */
export function commandResource(cmd: SimCommand): JsonObject {
	const started = cmd.started;
	const ended = cmd.ended;
	return {
		id: cmd.id,
		name: cmd.name,
		commandName: cmd.commandName,
		message: cmd.message ?? undefined,
		body: cmd.body,
		priority: cmd.priority,
		status: cmd.status,
		result: cmd.result,
		queued: wireDate(cmd.queued),
		started: wireDate(started),
		ended: wireDate(ended),
		duration: started && ended ? wireTimeSpan(ended.getTime() - started.getTime()) : undefined,
		exception: cmd.exception ?? undefined,
		trigger: cmd.trigger,
		clientUserAgent: cmd.clientUserAgent ?? undefined,
		// Source: CommandResource.StateChangeTime => Started ?? Ended (absent while queued).
		stateChangeTime: wireDate(started ?? ended),
		sendUpdatesToClient: cmd.body.sendUpdatesToClient,
		updateScheduledTask: cmd.body.updateScheduledTask
	};
}
