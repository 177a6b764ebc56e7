/**
 * Chart configuration shared by a chart's container, tooltip and legend (the shadcn-svelte chart
 * idiom on LayerChart): each series key maps to its label and colour; the container turns the
 * colours into `--color-<key>` CSS variables, so marks use `var(--color-<key>)` and the theme's
 * `--chart-1`…`--chart-5` follow light and dark mode.
 */
import { getContext, setContext } from 'svelte';

export interface ChartSeriesConfig {
	/** What the legend, tooltip and accessible table call the series. */
	label: string;
	/** Any CSS colour; defaults to the theme's chart colours in order. */
	color?: string;
}

export type ChartConfig = Record<string, ChartSeriesConfig>;

/** The theme's chart colour `n` (1–5), as a CSS colour (the preset stores bare oklch channels). */
export function chartColor(n: 1 | 2 | 3 | 4 | 5): string {
	return `oklch(var(--chart-${n}))`;
}

/** The CSS variable a series' colour is reachable by inside its container. */
export function seriesColor(key: string): string {
	return `var(--color-${cssKey(key)})`;
}

/** A series key made safe for a CSS custom property name. */
export function cssKey(key: string): string {
	return key.replace(/[^a-zA-Z0-9_-]/g, '_');
}

const KEY = Symbol('chart');

interface ChartContext {
	readonly config: ChartConfig;
}

export function setChartContext(context: ChartContext): void {
	setContext(KEY, context);
}

/** The config of the enclosing `Chart.Container`. */
export function useChart(): ChartContext {
	const context = getContext<ChartContext | undefined>(KEY);
	if (!context) throw new Error('useChart must be used inside a <Chart.Container>');
	return context;
}
