import { isLive, type JobRunView } from '$lib/types/jobs';
import { appUrl } from '$lib/paths';

/** How often a live run is polled (ms). */
export const POLL_MS = 1_000;

/**
 * Where following stands: `live` while the run may change, `done` once it is final, `paused`
 * while the app answers 503 (a restore holds it), `signed-out` when the session is gone (a
 * restore replaced the accounts), `lost` when the run cannot be read.
 */
export type FollowState = 'idle' | 'live' | 'done' | 'paused' | 'signed-out' | 'lost';

/**
 * Follows one job run by polling `GET /api/v1/jobs/{id}` about once a second while it is live,
 * and stops by itself when the run is final. Create it in a component and call `stop()` when the
 * component goes away (JobProgress does).
 */
export class JobFollower {
	run = $state<JobRunView | null>(null);
	state = $state<FollowState>('idle');
	#timer: ReturnType<typeof setTimeout> | undefined;
	#generation = 0;
	readonly #onFinish: ((run: JobRunView) => void) | undefined;
	readonly #fetch: (url: string, init: RequestInit) => Promise<Response>;

	constructor(
		options: {
			onFinish?: (run: JobRunView) => void;
			fetch?: (url: string, init: RequestInit) => Promise<Response>;
		} = {}
	) {
		this.#onFinish = options.onFinish;
		this.#fetch = options.fetch ?? ((url, init) => fetch(url, init));
	}

	/** Shows `run` and, when it is live, polls it until it is final. */
	follow(run: JobRunView): void {
		this.stop();
		this.run = run;
		if (isLive(run.status)) {
			this.state = 'live';
			this.#schedule(++this.#generation);
		} else {
			this.state = 'done';
		}
	}

	stop(): void {
		this.#generation++;
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = undefined;
	}

	#schedule(generation: number): void {
		this.#timer = setTimeout(() => void this.#poll(generation), POLL_MS);
	}

	async #poll(generation: number): Promise<void> {
		const current = this.run;
		if (!current || generation !== this.#generation) return;
		let response: Response;
		try {
			response = await this.#fetch(appUrl(`/api/v1/jobs/${current.id}`), {
				headers: { accept: 'application/json' }
			});
		} catch {
			// Offline for a moment (e.g. the server restarts): keep trying.
			if (generation === this.#generation) this.#schedule(generation);
			return;
		}
		if (generation !== this.#generation) return;
		if (response.status === 503) {
			this.state = 'paused';
			this.#schedule(generation);
			return;
		}
		if (response.status === 401) {
			this.state = 'signed-out';
			return;
		}
		if (!response.ok) {
			this.state = 'lost';
			return;
		}
		const run = (await response.json()) as JobRunView;
		if (generation !== this.#generation) return;
		this.run = run;
		if (isLive(run.status)) {
			this.state = 'live';
			this.#schedule(generation);
		} else {
			this.state = 'done';
			this.#onFinish?.(run);
		}
	}
}
