import { getContext, setContext } from 'svelte';
import type { SubmitFunction } from '@sveltejs/kit';

const KEY = Symbol('operation-tracker');

/**
 * Counts the page's action forms that are waiting for their result. While any is pending the
 * page hides the previous result, so a message on screen always belongs to the latest action.
 */
export class OperationTracker {
	pending = $state(0);

	get busy(): boolean {
		return this.pending > 0;
	}

	start = (): void => {
		this.pending += 1;
	};

	done = (): void => {
		this.pending = Math.max(0, this.pending - 1);
	};
}

/** Creates the page's tracker; call once in the page component. */
export function setOperationTracker(): OperationTracker {
	return setContext(KEY, new OperationTracker());
}

/** The page's tracker, or undefined when the page has none. */
export function getOperationTracker(): OperationTracker | undefined {
	return getContext<OperationTracker | undefined>(KEY);
}

/**
 * The `use:enhance` submit function of one action form: `pending` while its action runs, counted
 * on the page's tracker, and the page updated afterwards without resetting the form. `settled`
 * runs once the action has finished, successful or not. Create it during component initialisation.
 */
export class TrackedSubmit {
	pending = $state(false);
	readonly #tracker = getOperationTracker();
	readonly #settled: (() => void) | undefined;

	constructor(settled?: () => void) {
		this.#settled = settled;
	}

	submit: SubmitFunction = () => {
		this.pending = true;
		this.#tracker?.start();
		return async ({ update }) => {
			try {
				await update({ reset: false });
			} finally {
				this.pending = false;
				this.#settled?.();
				this.#tracker?.done();
			}
		};
	};
}
