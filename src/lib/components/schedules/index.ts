export { default as BuiltInTable } from './BuiltInTable.svelte';
export { default as ScheduleEditor } from './ScheduleEditor.svelte';
export { default as ScheduleTable } from './ScheduleTable.svelte';
export { default as ScheduleTimeline } from './ScheduleTimeline.svelte';
export { ScheduleActions } from './schedule-actions.svelte';
export type { EditorTarget } from './editor-target';
