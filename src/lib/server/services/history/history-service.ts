/**
 * Search history: every command Comradarr sent and what became of it, filtered and paged for the
 * History page and `GET /api/v1/history`, and exported as CSV.
 *
 * Reads `search_history` (append-only, written by services/queue/outcome.ts) joined to the
 * connector's name. Newest first: `finished_at desc, id desc` (index
 * `search_history_connector_finished_idx` serves the per-connector case).
 */
import { and, desc, eq, gte, ilike, lt, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db';
import {
	connectors,
	searchHistory,
	SEARCH_COMMANDS,
	SEARCH_OUTCOMES,
	SEARCH_TYPES,
	type SearchCommandName,
	type SearchOutcome,
	type SearchType
} from '../../db/schema';
import {
	readDateRange,
	readEnum,
	readId,
	readPagination,
	readText,
	throwIfInvalid,
	type FieldErrors
} from './listing-query';
import type { Page } from '../queue/queue-admin';
import { HISTORY_COLUMNS } from '../../db/queries/stats';

/** Longest accepted title search (`q`). */
export const MAX_TITLE_QUERY = 200;

/** What the history may be narrowed to; every field optional, all of them combined with AND. */
export interface HistoryFilter {
	connectorId?: number;
	outcome?: SearchOutcome;
	searchType?: SearchType;
	command?: SearchCommandName;
	/** Finished at or after this instant. */
	from?: Date;
	/** Finished strictly before this instant. */
	before?: Date;
	/** Case-insensitive substring of the label (series / movie title, season). */
	q?: string;
}

/** A parsed `GET /api/v1/history` query. */
export interface HistoryQuery {
	filter: HistoryFilter;
	page: number;
	pageSize: number;
	/** `csv` for an export of every matching row (pagination ignored). */
	format: 'json' | 'csv';
}

/**
 * Reads `connectorId`, `outcome`, `searchType`, `command`, `from`, `to`, `q`, `page`,
 * `pageSize` and `format` (json|csv).
 * @param timeZone the zone a calendar-date `from`/`to` is read in (Settings → General).
 * @throws ListingQueryError (400 `validation.failed`, `fields` naming each bad parameter).
 */
export function parseHistoryQuery(params: URLSearchParams, timeZone: string): HistoryQuery {
	const fields: FieldErrors = {};
	const connectorId = readId(params, 'connectorId', fields);
	const outcome = readEnum(params, 'outcome', SEARCH_OUTCOMES, fields);
	const searchType = readEnum(params, 'searchType', SEARCH_TYPES, fields);
	const command = readEnum(params, 'command', SEARCH_COMMANDS, fields);
	const range = readDateRange(params, fields, timeZone);
	const q = readText(params, 'q', fields, MAX_TITLE_QUERY);
	const { page, pageSize } = readPagination(params, fields);
	const format = readEnum(params, 'format', ['json', 'csv'] as const, fields) ?? 'json';
	throwIfInvalid(fields);
	const filter: HistoryFilter = {
		...(connectorId !== undefined ? { connectorId } : {}),
		...(outcome ? { outcome } : {}),
		...(searchType ? { searchType } : {}),
		...(command ? { command } : {}),
		...range,
		...(q ? { q } : {})
	};
	return { filter, page, pageSize, format };
}

/** One finished search as the History page, the API and the CSV show it. */
export interface HistoryRow {
	id: number;
	connectorId: number;
	connectorName: string;
	command: SearchCommandName;
	searchType: SearchType;
	label: string;
	searchCount: number;
	outcome: SearchOutcome;
	/** Sonarr's CommandStatus at the end (completed|failed|aborted|…), null when never known. */
	commandStatus: string | null;
	message: string | null;
	/** Releases grabbed, read from the message ("… N reports downloaded"); null when it says none. */
	grabs: number | null;
	arrCommandId: number | null;
	sentAt: Date | null;
	finishedAt: Date;
	durationMs: number | null;
}

/**
 * Releases a search grabbed, from the command's message. Sonarr and Radarr end a search command
 * with "… N reports downloaded." (Sonarr: ReleaseSearchService → ProcessDownloadDecisions; e.g.
 * "Episode search completed. 2 reports downloaded."). Null when the message has no such count.
 */
export function grabCount(message: string | null): number | null {
	if (!message) return null;
	const match = /(\d+)\s+reports?\s+downloaded/i.exec(message);
	return match ? Number(match[1]) : null;
}

/** `%`, `_` and `\` match literally inside an ILIKE pattern. */
function likeLiteral(text: string): string {
	return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function conditions(filter: HistoryFilter): SQL | undefined {
	return and(
		filter.connectorId !== undefined
			? eq(searchHistory.connectorId, filter.connectorId)
			: undefined,
		filter.outcome ? eq(searchHistory.outcome, filter.outcome) : undefined,
		filter.searchType ? eq(searchHistory.searchType, filter.searchType) : undefined,
		filter.command ? eq(searchHistory.command, filter.command) : undefined,
		filter.from ? gte(searchHistory.finishedAt, filter.from) : undefined,
		filter.before ? lt(searchHistory.finishedAt, filter.before) : undefined,
		filter.q ? ilike(searchHistory.label, `%${likeLiteral(filter.q)}%`) : undefined
	);
}

const columns = HISTORY_COLUMNS;

type SelectedRow = Omit<HistoryRow, 'grabs'>;

function withGrabs(row: SelectedRow): HistoryRow {
	return { ...row, grabs: grabCount(row.message) };
}

/**
 * One page of the history, newest first, with the total number of matching rows.
 * @param page 1-based; a page past the end is empty (with the true `total`).
 */
export async function listHistoryPage(
	db: DbOrTx,
	input: { filter: HistoryFilter; page: number; pageSize: number }
): Promise<Page<HistoryRow>> {
	const where = conditions(input.filter);
	const [rows, [count]] = await Promise.all([
		db
			.select(columns)
			.from(searchHistory)
			.innerJoin(connectors, eq(connectors.id, searchHistory.connectorId))
			.where(where)
			.orderBy(desc(searchHistory.finishedAt), desc(searchHistory.id))
			.limit(input.pageSize)
			.offset((input.page - 1) * input.pageSize),
		db
			.select({ n: sql<number>`count(*)::int` })
			.from(searchHistory)
			.where(where)
	]);
	return {
		items: rows.map(withGrabs),
		page: input.page,
		pageSize: input.pageSize,
		total: count?.n ?? 0
	};
}

/** The most recent finished searches (the Queue page's "Recent completions"). */
export async function recentHistory(db: DbOrTx, limit: number): Promise<HistoryRow[]> {
	const rows = await db
		.select(columns)
		.from(searchHistory)
		.innerJoin(connectors, eq(connectors.id, searchHistory.connectorId))
		.orderBy(desc(searchHistory.finishedAt), desc(searchHistory.id))
		.limit(limit);
	return rows.map(withGrabs);
}

// --- CSV ----------------------------------------------------------------------------------------

/** The CSV columns, in order (header names = HistoryRow fields). */
export const HISTORY_CSV_COLUMNS = [
	'id',
	'finishedAt',
	'sentAt',
	'connectorId',
	'connectorName',
	'command',
	'searchType',
	'label',
	'searchCount',
	'outcome',
	'commandStatus',
	'grabs',
	'message',
	'arrCommandId',
	'durationMs'
] as const satisfies readonly (keyof HistoryRow)[];

/**
 * One RFC 4180 field: quoted when it holds a comma, quote, CR or LF; a leading `=`, `+`, `-`,
 * `@`, tab or CR is prefixed with `'` so a spreadsheet never runs a label as a formula (labels
 * come from *arr titles, which anyone who can add a series controls).
 */
export function csvField(value: string | number | Date | null): string {
	if (value === null) return '';
	if (value instanceof Date) return value.toISOString();
	if (typeof value === 'number') return String(value);
	const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
	return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One CSV line (CRLF-terminated) for a row. */
export function csvLine(row: HistoryRow): string {
	return `${HISTORY_CSV_COLUMNS.map((c) => csvField(row[c])).join(',')}\r\n`;
}

/** Rows per database read while exporting. */
const EXPORT_CHUNK = 1000;

/**
 * Every matching row as CSV (header first), streamed in chunks of 1,000 rows read by keyset
 * (`finished_at, id` below the last row sent), so memory stays flat on a long history and rows
 * finished during the export never shift or repeat a chunk.
 */
export function historyCsvStream(db: DbOrTx, filter: HistoryFilter): ReadableStream<Uint8Array> {
	const encoder = new TextEncoder();
	let last: { finishedAt: Date; id: number } | null = null;
	let headerSent = false;
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			if (!headerSent) {
				headerSent = true;
				controller.enqueue(encoder.encode(`${HISTORY_CSV_COLUMNS.join(',')}\r\n`));
			}
			const after = last;
			const rows = await db
				.select(columns)
				.from(searchHistory)
				.innerJoin(connectors, eq(connectors.id, searchHistory.connectorId))
				.where(
					and(
						conditions(filter),
						after
							? sql`(${searchHistory.finishedAt}, ${searchHistory.id}) < (${after.finishedAt.toISOString()}::timestamptz, ${after.id})`
							: undefined
					)
				)
				.orderBy(desc(searchHistory.finishedAt), desc(searchHistory.id))
				.limit(EXPORT_CHUNK);
			if (rows.length > 0) {
				controller.enqueue(encoder.encode(rows.map((r) => csvLine(withGrabs(r))).join('')));
				const tail = rows[rows.length - 1];
				if (tail) last = { finishedAt: tail.finishedAt, id: tail.id };
			}
			if (rows.length < EXPORT_CHUNK) controller.close();
		}
	});
}

/** A file name for an export made at `now`: `comradarr-history-2026-12-02.csv`. */
export function csvFileName(now: Date): string {
	return `comradarr-history-${now.toISOString().slice(0, 10)}.csv`;
}
