import Root from './date-range-picker.svelte';

export { formatRange, matchingPreset, presetRange, shiftDay, type DayRange } from './range';
export { Root, Root as DateRangePicker };
