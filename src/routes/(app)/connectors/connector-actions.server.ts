/**
 * The per-connector form actions shared by the Connectors list and the connector page:
 * sync, sweep, health check, enable/disable and delete. Each reads the connector's `id` from the
 * posted form and answers with an `OperationOutcome` the page shows in a status region; failures
 * use `fail()`. These are explicit user actions, so sync and the health check may call the *arr
 * app (page loads never do).
 */
import { fail, redirect } from '@sveltejs/kit';
import { SecretError } from '$lib/server/crypto/secrets';
import type { Connector } from '$lib/server/db/schema';
import { getRuntime, type Runtime } from '$lib/server/runtime';
import {
	ConnectorNotFoundError,
	STORED_KEY_UNREADABLE,
	deleteConnector,
	getConnector,
	updateConnector
} from '$lib/server/services/connectors/connector-service';
import { checkOne } from '$lib/server/services/operations';
import { describeSweepResult, startSweep, startSync } from '$lib/server/services/connector-jobs';
import { describeHealthCheck } from './operation-messages';
import { withBase } from '$lib/server/http/base-path';

export type OperationKind = 'sync' | 'sweep' | 'check' | 'toggle' | 'delete';

export interface OperationOutcome {
	op: OperationKind;
	/** The connector's id, or null when the request named none. */
	id: number | null;
	/** The connector's name, shown as the result's title. */
	title: string;
	ok: boolean;
	message: string;
	/** The background job run the operation started or joined (a sync). */
	runId?: number;
}

interface StepResult {
	message: string;
	runId?: number;
	/** An HTTP status ≥ 400 when the operation did not do its work. */
	failStatus?: number;
}

/** A route or form id as a positive integer, or null. */
export function parseConnectorId(
	raw: FormDataEntryValue | string | null | undefined
): number | null {
	if (typeof raw !== 'string' || !/^\d+$/.test(raw)) return null;
	const id = Number(raw);
	return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/** Loads the posted connector, runs `step` on it, and turns the result into an outcome. */
async function runOperation(
	op: OperationKind,
	request: Request,
	step: (runtime: Runtime, connector: Connector, form: FormData) => Promise<StepResult>
) {
	const runtime = await getRuntime();
	const form = await request.formData();
	const id = parseConnectorId(form.get('id'));
	if (id === null) {
		return fail(400, { op, id, title: 'Connector', ok: false, message: 'No connector was given.' });
	}
	let connector: Connector;
	try {
		connector = await getConnector(runtime.db, id);
	} catch (error) {
		if (!(error instanceof ConnectorNotFoundError)) throw error;
		return fail(404, {
			op,
			id,
			title: 'Connector',
			ok: false,
			message: 'This connector no longer exists.'
		});
	}
	let result: StepResult;
	try {
		result = await step(runtime, connector, form);
	} catch (error) {
		if (!(error instanceof SecretError)) throw error;
		result = {
			message: `${STORED_KEY_UNREADABLE} Open the connector's settings to do so.`,
			failStatus: 409
		};
	}
	const outcome: OperationOutcome = {
		op,
		id,
		title: connector.name,
		ok: result.failStatus === undefined,
		message: result.message,
		...(result.runId === undefined ? {} : { runId: result.runId })
	};
	return result.failStatus === undefined ? outcome : fail(result.failStatus, outcome);
}

/**
 * `?/sync` (optional `mode=full|incremental`): starts a sync of the connector as a background job
 * and answers at once; the page follows the run (its progress bar). A sync already running is
 * not started twice: the answer says so and the page follows that run.
 */
export function syncAction({ request, locals }: { request: Request; locals: App.Locals }) {
	return runOperation('sync', request, async (runtime, connector, form) => {
		const raw = form.get('mode');
		if (raw !== null && raw !== 'full' && raw !== 'incremental') {
			return { message: 'The sync mode must be "full" or "incremental".', failStatus: 400 };
		}
		const sync = await startSync(runtime, connector, {
			...(raw ? { mode: raw } : {}),
			userId: locals.user?.id ?? null
		});
		const kind = sync.run.job === 'sync.full' ? 'Full sync' : 'Sync';
		return {
			message: sync.started
				? `${kind} started; it runs in the background.`
				: 'A sync of this connector is already running; showing its progress.',
			runId: sync.run.id
		};
	});
}

/**
 * `?/check`: a health check now (ping, system status, the app's own health warnings); the page
 * then shows the stored result. An unreachable or refusing app answers 502.
 */
export function checkAction({ request }: { request: Request }) {
	return runOperation('check', request, async (runtime, connector) => {
		const { state } = await checkOne(runtime, connector);
		if (state === null) return { message: 'This connector no longer exists.', failStatus: 404 };
		const { healthReason } = await getConnector(runtime.db, connector.id);
		const message = describeHealthCheck(state, healthReason);
		return state === 'unhealthy' || state === 'offline'
			? { message, failStatus: 502 }
			: { message };
	});
}

/** How long `?/sweep` waits for the sweep to finish before answering "started" (ms). */
const SWEEP_ANSWER_WAIT_MS = 3_000;

/**
 * `?/sweep`: finds gaps and upgrade candidates in the mirror and queues their searches, as a
 * background job. A sweep is usually done within a second: the answer then says what it queued;
 * a longer one answers "started" and goes on in the background.
 */
export function sweepAction({ request, locals }: { request: Request; locals: App.Locals }) {
	return runOperation('sweep', request, async (runtime, connector) => {
		const sweep = await startSweep(runtime, connector, 'both', {
			userId: locals.user?.id ?? null
		});
		if (!sweep.result) {
			return { message: 'A sweep of this connector is already running.', runId: sweep.run.id };
		}
		let timer: ReturnType<typeof setTimeout> | undefined;
		const waited = await Promise.race([
			sweep.result,
			new Promise<'later'>(
				(resolve) => (timer = setTimeout(() => resolve('later'), SWEEP_ANSWER_WAIT_MS))
			)
		]);
		clearTimeout(timer);
		if (waited === 'later') {
			return { message: 'Sweep started; it runs in the background.', runId: sweep.run.id };
		}
		if (waited === null) {
			return { message: 'The sweep failed; the server log has the details.', failStatus: 500 };
		}
		return waited.skipped === null
			? { message: describeSweepResult(waited), runId: sweep.run.id }
			: { message: describeSweepResult(waited), failStatus: 409 };
	});
}

/** `?/toggle` with `enabled=true|false`: enables or disables the connector. */
export function toggleAction({ request }: { request: Request }) {
	return runOperation('toggle', request, async (runtime, connector, form) => {
		const wanted = form.get('enabled');
		const enabled = wanted === null ? !connector.enabled : wanted === 'true';
		await updateConnector(runtime.db, runtime.secrets, connector.id, { enabled });
		return {
			message: enabled
				? 'Enabled: scheduled syncs, sweeps and searches run again.'
				: 'Disabled: no scheduled syncs, sweeps or searches run until you enable it again.'
		};
	});
}

/**
 * `?/delete`: removes the connector with its mirror and search state (the *arr app is untouched).
 * With `redirectTo`, a successful delete redirects there (the deleted connector's own page).
 */
export async function deleteAction({ request }: { request: Request }, redirectTo?: string) {
	const outcome = await runOperation('delete', request, async (runtime, connector) => {
		await deleteConnector(runtime.db, connector.id);
		return { message: 'Deleted, with its library mirror and search state.' };
	});
	if (redirectTo !== undefined && 'ok' in outcome && outcome.ok) {
		redirect(303, withBase(redirectTo));
	}
	return outcome;
}
