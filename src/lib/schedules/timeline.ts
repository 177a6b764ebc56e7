/**
 * The Schedules page's timeline: every run of the enabled sweep schedules over the next days, one
 * row per connector, so overlaps (two sweeps of one connector at once) and long quiet stretches
 * show at a glance. Computed with croner (the scheduler's own library, so the marks fall where the
 * runs will) in the schedule's time zone; pure apart from croner, the same in browser and server.
 */
import { Cron } from 'croner';
import type { SweepType } from '$lib/types/schedules';

/** What the timeline needs of a schedule (a SweepScheduleView has all of it). */
export interface TimelineSchedule {
	id: number;
	connectorId: number;
	connectorName: string;
	sweepType: SweepType;
	cron: string;
	timezone: string;
	enabled: boolean;
}

export interface TimelineMark {
	scheduleId: number;
	sweepType: SweepType;
	at: Date;
	/** Position in the window, 0 (start) to 1 (end). */
	offset: number;
}

export interface TimelineRow {
	connectorId: number;
	connectorName: string;
	/** In time order; at most `maxMarksPerSchedule` per schedule. */
	marks: TimelineMark[];
	/** Schedules of this row with more runs in the window than marks shown (every few minutes). */
	cappedScheduleIds: number[];
	/** Runs of different schedules of this connector within `overlapMs` of each other. */
	overlaps: number;
	/** The longest stretch without a run in the window (ms), counting from its start to its end. */
	longestGapMs: number;
}

export interface TimelineOptions {
	from: Date;
	/** Window length in days (default 7). */
	days?: number;
	/** Marks per schedule beyond which the rest are left out (default 200). */
	maxMarksPerSchedule?: number;
	/** Two runs closer than this (ms) count as an overlap (default 5 min). */
	overlapMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The runs of `cron` in `timezone` from `from` (exclusive) to `to` (inclusive), at most `limit`
 * (one more tells the caller there were more). An invalid pattern or time zone has no runs.
 */
export function runsBetween(
	cron: string,
	timezone: string,
	from: Date,
	to: Date,
	limit: number
): Date[] {
	const runs: Date[] = [];
	let job: Cron | undefined;
	try {
		// croner refuses a bad pattern at construction, a bad time zone only on the first run.
		job = new Cron(cron, { timezone, paused: true, mode: '5-or-6-parts' });
		let cursor: Date | null = from;
		while (runs.length < limit + 1) {
			cursor = job.nextRun(cursor);
			if (!cursor || cursor.getTime() > to.getTime()) break;
			runs.push(cursor);
		}
	} catch {
		return [];
	} finally {
		job?.stop();
	}
	return runs;
}

/**
 * One row per connector that has an enabled schedule (rows in connector-name order), with the
 * marks of every run of its enabled schedules in `[from, from + days]`.
 */
export function computeTimeline(
	schedules: readonly TimelineSchedule[],
	options: TimelineOptions
): TimelineRow[] {
	const days = options.days ?? 7;
	const cap = options.maxMarksPerSchedule ?? 200;
	const overlapMs = options.overlapMs ?? 5 * 60 * 1000;
	const start = options.from.getTime();
	const end = start + days * DAY_MS;
	const to = new Date(end);

	const rows = new Map<number, TimelineRow>();
	for (const schedule of schedules) {
		if (!schedule.enabled) continue;
		let row = rows.get(schedule.connectorId);
		if (!row) {
			row = {
				connectorId: schedule.connectorId,
				connectorName: schedule.connectorName,
				marks: [],
				cappedScheduleIds: [],
				overlaps: 0,
				longestGapMs: end - start
			};
			rows.set(schedule.connectorId, row);
		}
		const runs = runsBetween(schedule.cron, schedule.timezone, options.from, to, cap);
		if (runs.length > cap) {
			row.cappedScheduleIds.push(schedule.id);
			runs.length = cap;
		}
		for (const at of runs) {
			row.marks.push({
				scheduleId: schedule.id,
				sweepType: schedule.sweepType,
				at,
				offset: (at.getTime() - start) / (end - start)
			});
		}
	}

	for (const row of rows.values()) {
		row.marks.sort((a, b) => a.at.getTime() - b.at.getTime() || a.scheduleId - b.scheduleId);
		row.overlaps = countOverlaps(row.marks, overlapMs);
		// A capped schedule runs more often than its marks show: its gaps are its step, not measured.
		row.longestGapMs = row.cappedScheduleIds.length > 0 ? 0 : longestGap(row.marks, start, end);
	}
	return [...rows.values()].sort(
		(a, b) => a.connectorName.localeCompare(b.connectorName) || a.connectorId - b.connectorId
	);
}

/** Pairs of neighbouring marks of different schedules closer than `withinMs`. */
function countOverlaps(marks: readonly TimelineMark[], withinMs: number): number {
	let overlaps = 0;
	for (let i = 1; i < marks.length; i++) {
		const a = marks[i - 1]!;
		const b = marks[i]!;
		if (a.scheduleId !== b.scheduleId && b.at.getTime() - a.at.getTime() < withinMs) overlaps++;
	}
	return overlaps;
}

/** The longest time between the window's start, the marks and its end (ms). */
function longestGap(marks: readonly TimelineMark[], start: number, end: number): number {
	let previous = start;
	let longest = 0;
	for (const mark of marks) {
		longest = Math.max(longest, mark.at.getTime() - previous);
		previous = mark.at.getTime();
	}
	return Math.max(longest, end - previous);
}

/** The day boundaries (midnight in `timeZone`) inside the window, as offsets 0–1, for the grid. */
export function dayTicks(
	from: Date,
	days: number,
	timeZone: string
): { at: Date; offset: number }[] {
	const start = from.getTime();
	const end = start + days * DAY_MS;
	return runsBetween('0 0 * * *', timeZone, from, new Date(end), days + 1)
		.filter((at) => at.getTime() < end)
		.map((at) => ({ at, offset: (at.getTime() - start) / (end - start) }));
}

/** "23 h", "2 d 4 h", "45 min" for a gap length in ms. */
export function formatGap(ms: number): string {
	const minutes = Math.round(ms / 60_000);
	if (minutes < 60) return `${minutes} min`;
	const hours = Math.floor(minutes / 60);
	if (hours < 24) {
		const rest = minutes % 60;
		return rest ? `${hours} h ${rest} min` : `${hours} h`;
	}
	const d = Math.floor(hours / 24);
	const h = hours % 24;
	return h ? `${d} d ${h} h` : `${d} d`;
}

/** What the timeline needs of a built-in job (a BuiltInScheduleView has all of it). */
export interface TimelineJob {
	job: string;
	description: string;
	cron: string;
	timezone: string;
	enabled: boolean;
}

export interface JobTimelineRow {
	job: string;
	description: string;
	/** Runs in the window as offsets 0–1, at most `maxMarksPerSchedule`, in time order. */
	marks: { at: Date; offset: number }[];
	/** True when the job runs more often than the marks shown. */
	capped: boolean;
}

/** One row per enabled built-in job, in the given order, with its runs in the window. */
export function computeJobRows(
	jobs: readonly TimelineJob[],
	options: Omit<TimelineOptions, 'overlapMs'>
): JobTimelineRow[] {
	const days = options.days ?? 7;
	const cap = options.maxMarksPerSchedule ?? 200;
	const start = options.from.getTime();
	const end = start + days * DAY_MS;
	return jobs
		.filter((job) => job.enabled)
		.map((job) => {
			const runs = runsBetween(job.cron, job.timezone, options.from, new Date(end), cap);
			const capped = runs.length > cap;
			if (capped) runs.length = cap;
			return {
				job: job.job,
				description: job.description,
				marks: runs.map((at) => ({ at, offset: (at.getTime() - start) / (end - start) })),
				capped
			};
		});
}
