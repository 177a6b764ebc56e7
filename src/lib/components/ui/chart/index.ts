import Container from './chart-container.svelte';
import Tooltip from './chart-tooltip.svelte';
import Legend from './chart-legend.svelte';

export {
	chartColor,
	cssKey,
	seriesColor,
	useChart,
	type ChartConfig,
	type ChartSeriesConfig
} from './chart-utils';
export {
	Container,
	Tooltip,
	Legend,
	Container as ChartContainer,
	Tooltip as ChartTooltip,
	Legend as ChartLegend
};
