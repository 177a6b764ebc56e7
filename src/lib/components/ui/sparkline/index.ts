import Root from './sparkline.svelte';

export { Root, Root as Sparkline };
