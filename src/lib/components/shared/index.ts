export { default as ConfirmFormDialog } from './ConfirmFormDialog.svelte';
export { default as DataTable, type DataTableColumn } from './DataTable.svelte';
export { default as EmptyState } from './EmptyState.svelte';
export { default as PageHeader } from './PageHeader.svelte';
export { default as RelativeTime } from './RelativeTime.svelte';
export { default as StatCard } from './StatCard.svelte';
export { default as StatusBadge, statusTone, type StatusTone } from './StatusBadge.svelte';
export { now } from './now';
