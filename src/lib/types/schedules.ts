/**
 * Schedule shapes shared by the server (`/api/v1/schedules`) and the Schedules page.
 */
import type { JobRunView } from './jobs';

/** What a scheduled sweep looks for: missing items, cutoff-unmet / custom-format upgrades, both. */
export const SWEEP_TYPES = ['gaps', 'upgrades', 'both'] as const;
export type SweepType = (typeof SWEEP_TYPES)[number];

/** A sweep schedule as the API shows it. */
export interface SweepScheduleView {
	id: number;
	connectorId: number;
	connectorName: string;
	connectorType: string;
	sweepType: SweepType;
	cron: string;
	timezone: string;
	/** The cron expression in words (cronstrue), e.g. "At 5 minutes past the hour". */
	description: string;
	enabled: boolean;
	/** The override profile; null = the connector's. */
	throttleProfileId: number | null;
	throttleProfileName: string | null;
	batchLimit: number | null;
	/** ISO 8601 UTC; null when disabled or the pattern has no further run. */
	nextRunAt: string | null;
	/** The newest run of this schedule (job `sweep.schedule.<id>`), running or finished. */
	lastRun: JobRunView | null;
	createdAt: string;
	updatedAt: string;
}

/** A built-in job (sync, dispatch, health, maintenance…): schedule editable, not deletable. */
export interface BuiltInScheduleView {
	/** The job's name (`sync`, `sync-full`, `dispatch`…), also its id in the API. */
	job: string;
	description: string;
	cron: string;
	/** Built-in jobs run in the app's time zone (Settings → General). */
	timezone: string;
	humanDescription: string;
	enabled: boolean;
	nextRunAt: string | null;
	lastRun: JobRunView | null;
}

/** Limits of the schedule fields, shared by the API's validation and the editor. */
export const SCHEDULE_LIMITS = {
	/** The most commands one scheduled sweep may queue (`batchLimit`). */
	batchLimitMax: 10_000,
	/** The most next-run times one request may ask for. */
	nextRunsMax: 20,
	/** The shortest time between two runs of a sweep (seconds). */
	sweepMinIntervalSeconds: 60,
	/** Longest cron expression and time zone name stored (the columns' lengths). */
	cronMaxLength: 120,
	timezoneMaxLength: 64,
	/** The longest timeline one request may ask for (days), and the most runs per schedule in it. */
	timelineMaxDays: 31,
	timelineMaxRunsPerSchedule: 2_000
} as const;

/** `GET /api/v1/schedules/preview`: a pattern checked and explained for the editor. */
export interface SchedulePreview {
	valid: true;
	description: string;
	/** ISO 8601 UTC instants. */
	runs: string[];
}

/** `GET /api/v1/schedules/timeline`: every run of every enabled sweep schedule in a window. */
export interface ScheduleTimeline {
	/** ISO 8601 UTC: the window's start (inclusive) and end (exclusive). */
	from: string;
	to: string;
	schedules: {
		scheduleId: number;
		connectorId: number;
		connectorName: string;
		sweepType: SweepType;
		cron: string;
		timezone: string;
		/** ISO 8601 UTC instants, in order. */
		runs: string[];
		/** True when `timelineMaxRunsPerSchedule` cut `runs` short. */
		truncated: boolean;
	}[];
}
