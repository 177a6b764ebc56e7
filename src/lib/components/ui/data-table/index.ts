export { default as FlexRender } from './flex-render.svelte';
export { renderSnippet, RenderSnippetConfig, type Renderable } from './render-helpers';
export {
	columnHelper,
	createDataTable,
	dataTableFeatures,
	type DataTableFeatures,
	type RowSelectionState,
	type SortingState
} from './create-table';
