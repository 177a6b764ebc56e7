import Root from './progress-ring.svelte';

export { Root, Root as ProgressRing };
