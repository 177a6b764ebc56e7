/**
 * The command tracker: polls `GET /api/v3/command/{id}` for every sent command of a connector
 * until it finishes (completed / failed / aborted / cancelled / orphaned), then writes the outcome.
 * A command the app no longer knows (404: trimmed after a day) is finished as `unknown`.
 */
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../db';
import { requestQueue, type Connector, type ThrottleProfile } from '../../db/schema';
import type { ArrClient } from '../../connectors';
import { moduleLogger } from '../../logger';
import { cooldownHours } from './throttle';
import { FINISHED_COMMAND_STATUSES, failureFromCommand, finishRequest } from './outcome';

const log = moduleLogger('command-tracker');

export interface TrackDeps {
	db: Database;
	connector: Connector;
	client: ArrClient;
	profile: ThrottleProfile;
	clock?: () => Date;
}

export interface TrackResult {
	checked: number;
	finished: number;
}

/** Polls every sent command of one connector once. Errors of the app are logged, not thrown. */
export async function trackCommands(deps: TrackDeps): Promise<TrackResult> {
	const { db, connector, client, profile } = deps;
	const clock = deps.clock ?? (() => new Date());
	const sent = await db
		.select()
		.from(requestQueue)
		.where(and(eq(requestQueue.connectorId, connector.id), eq(requestQueue.status, 'sent')));
	const result: TrackResult = { checked: 0, finished: 0 };
	for (const request of sent) {
		if (request.arrCommandId === null) continue;
		let command;
		try {
			command = await client.getCommand(request.arrCommandId);
		} catch (error) {
			log.warn(
				{ connectorId: connector.id, requestId: request.id, err: String(error) },
				'command poll failed'
			);
			break; // the app is in trouble: try again on the next pass
		}
		result.checked++;
		if (command && !FINISHED_COMMAND_STATUSES.has(command.status)) {
			if (command.status !== request.commandStatus) {
				await db
					.update(requestQueue)
					.set({ commandStatus: command.status })
					.where(eq(requestQueue.id, request.id));
			}
			continue;
		}
		const status = command?.status ?? null;
		const message = command ? command.message : 'The app no longer knows this command';
		await db.transaction((tx) =>
			finishRequest(tx, {
				request,
				outcome: command === null ? 'unknown' : status === 'completed' ? 'completed' : 'failed',
				commandStatus: status,
				message,
				failure: command === null ? 'unknown' : failureFromCommand(status, message),
				cooldownHours: cooldownHours(connector, profile),
				finishedAt: command?.ended ?? clock()
			})
		);
		result.finished++;
	}
	return result;
}
