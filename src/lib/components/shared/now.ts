import { createSubscriber } from 'svelte/reactivity';

const TICK_MS = 30_000;

// One interval for the whole page, running only while some effect or template reads `now()`.
const subscribe = createSubscriber((update) => {
	const id = setInterval(update, TICK_MS);
	return () => clearInterval(id);
});

/**
 * The current time in ms since the epoch. Read inside a template or effect, it re-evaluates
 * every 30 s; elsewhere (and on the server) it is a plain `Date.now()`.
 */
export function now(): number {
	subscribe();
	return Date.now();
}
