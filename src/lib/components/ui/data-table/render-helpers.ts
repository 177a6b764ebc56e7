/**
 * What a column's `header` or `cell` may return for `FlexRender`: plain text, or a snippet with
 * its argument (shadcn-svelte's data-table pattern on @tanstack/table-core).
 */
import type { Snippet } from 'svelte';

/** A snippet to render with `params`. */
export class RenderSnippetConfig<T> {
	constructor(
		readonly snippet: Snippet<[T]>,
		readonly params: T
	) {}
}

/** `cell: ({ row }) => renderSnippet(titleCell, row.original)`. */
export function renderSnippet<T>(snippet: Snippet<[T]>, params: T): RenderSnippetConfig<T> {
	return new RenderSnippetConfig(snippet, params);
}

/** What FlexRender accepts. */
export type Renderable = string | number | null | undefined | RenderSnippetConfig<never>;
