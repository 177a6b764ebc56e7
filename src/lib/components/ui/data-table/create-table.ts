/**
 * The table instance of shadcn-svelte's data-table pattern, on @tanstack/table-core 9: the
 * features every server-driven table of Comradarr uses — sorting and row selection — with the
 * state owned by the page (sorting comes from the URL, selection from a `$state`), so the page
 * rebuilds the instance in a `$derived` when either changes. Sorting is manual: the server sorts.
 */
import {
	constructTable,
	createColumnHelper,
	functionalUpdate,
	rowSelectionFeature,
	rowSortingFeature,
	tableFeatures,
	type RowData,
	type RowSelectionState,
	type SortingState
} from '@tanstack/table-core';
import { storeReactivityBindings } from '@tanstack/table-core/store-reactivity-bindings';

/** The feature set of every data table. */
export const dataTableFeatures = tableFeatures({
	coreReactivityFeature: storeReactivityBindings(),
	rowSortingFeature,
	rowSelectionFeature
});
export type DataTableFeatures = typeof dataTableFeatures;

/** A column helper for rows of type `T`. */
export function columnHelper<T extends RowData>() {
	return createColumnHelper<DataTableFeatures, T>();
}

export type { RowSelectionState, SortingState };

/**
 * A table over `data` (one page of rows) with `columns`.
 * @param options.getRowId a stable id per row (selection is kept by id)
 * @param options.onSortingChange receives the new sorting (at most one column: the server sorts)
 * @param options.onRowSelectionChange receives the new selection (ids → true)
 */
export function createDataTable<T extends RowData>(options: {
	data: T[];
	columns: Parameters<typeof constructTable<DataTableFeatures, T>>[0]['columns'];
	getRowId: (row: T) => string;
	sorting: SortingState;
	rowSelection: RowSelectionState;
	onSortingChange: (sorting: SortingState) => void;
	onRowSelectionChange: (selection: RowSelectionState) => void;
}) {
	return constructTable<DataTableFeatures, T>({
		features: dataTableFeatures,
		columns: options.columns,
		data: options.data,
		getRowId: options.getRowId,
		manualSorting: true,
		enableMultiSort: false,
		state: { sorting: options.sorting, rowSelection: options.rowSelection },
		onSortingChange: (updater) =>
			options.onSortingChange(functionalUpdate(updater, options.sorting)),
		onRowSelectionChange: (updater) =>
			options.onRowSelectionChange(functionalUpdate(updater, options.rowSelection))
	});
}
