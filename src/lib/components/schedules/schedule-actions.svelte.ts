/**
 * The Schedules page's instant actions, shared by the sweep and built-in tables: the enable toggle
 * (PATCH at once, shown optimistically, put back with a toast when the server refuses) and "Run
 * now" (POST …/run → 202 with a job run, which JobProgress then follows by polling
 * `GET /api/v1/jobs/{id}`).
 */
import { SvelteMap } from 'svelte/reactivity';
import { toast } from 'svelte-sonner';
import { apiCall } from '$lib/schedules/api';
import type { JobRunView } from '$lib/types/jobs';

export class ScheduleActions {
	/** Enable states sent but not yet confirmed by a reload, by key (`sweep:3`, `built-in:sync`). */
	readonly pendingEnabled = new SvelteMap<string, boolean>();
	/** Runs started from this page, by key. */
	readonly started = new SvelteMap<string, JobRunView>();
	/** Keys whose "Run now" request is on its way. */
	readonly starting = new SvelteMap<string, true>();
	readonly #reload: () => Promise<void>;

	/** @param reload re-reads the page's data (invalidateAll) once a change is saved. */
	constructor(reload: () => Promise<void>) {
		this.#reload = reload;
	}

	/** The enable state to show: the one just sent, else the server's. */
	enabled(key: string, server: boolean): boolean {
		return this.pendingEnabled.get(key) ?? server;
	}

	/**
	 * Sends `{ enabled }` to `path` at once. On refusal the switch goes back and the server's
	 * message is a toast.
	 */
	async setEnabled(
		key: string,
		path: `/${string}`,
		enabled: boolean,
		label: string
	): Promise<void> {
		this.pendingEnabled.set(key, enabled);
		const result = await apiCall('PATCH', path, { enabled });
		if (!result.ok) {
			this.pendingEnabled.delete(key);
			toast.error(`Could not ${enabled ? 'enable' : 'disable'} ${label}: ${result.message}`);
			return;
		}
		try {
			await this.#reload();
		} finally {
			this.pendingEnabled.delete(key);
		}
	}

	/** Starts a run (`path` answers 202 with the job run); the run shows in its row. */
	async runNow(key: string, path: `/${string}`, label: string): Promise<void> {
		this.starting.set(key, true);
		try {
			const result = await apiCall<JobRunView | { run: JobRunView }>('POST', path);
			if (!result.ok) {
				toast.error(`Could not start ${label}: ${result.message}`);
				return;
			}
			const run = 'run' in result.data ? result.data.run : result.data;
			this.started.set(key, run);
		} finally {
			this.starting.delete(key);
		}
	}

	/** Called when a followed run is final: the row's last run and next run come from the server. */
	async finished(): Promise<void> {
		await this.#reload();
	}
}
