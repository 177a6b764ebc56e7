import type { BuiltInScheduleView, SweepScheduleView } from '$lib/types/schedules';

/** What the schedule editor is open for: a new sweep schedule, one to change, or a built-in job. */
export type EditorTarget =
	| { kind: 'create' }
	| { kind: 'edit'; schedule: SweepScheduleView }
	| { kind: 'built-in'; job: BuiltInScheduleView };
