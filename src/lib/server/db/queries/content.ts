/**
 * Content mirror writes: change detection, batch upserts, removals, and the domain events and
 * search-state changes they cause, all in the caller's transaction (DESIGN.md decision 5).
 *
 * Every writer (full and incremental sync, the webhook refresh) goes through these functions, so
 * each emits the same events:
 * - `item.acquired`: an episode or movie already in the mirror gained a file.
 * - `item.upgraded`: a file met the cutoff (`qualityCutoffNotMet` true → false) or was replaced
 *   by one of another quality / custom-format score.
 * - `item.removed`: a series, episode or movie left the app.
 * When an item gains a file its `gap` search_registry row is deleted; when its file meets the
 * cutoff (or it gains one that does) its `upgrade` row is deleted: it is no longer wanted.
 *
 * Each write first reads the current rows of what it writes (locked `FOR UPDATE`, so a sync and a
 * webhook refresh writing the same item serialise), compares them field by field, and writes only
 * rows that differ: a write with nothing changed issues no INSERT, UPDATE or DELETE. The upserts
 * keep `… ON CONFLICT DO UPDATE … WHERE (…) IS DISTINCT FROM (…)` as a backstop. Batches of
 * ≤ 1000 rows keep every statement under PostgreSQL's 65 535-parameter limit.
 */
import { and, eq, getTableColumns, inArray, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../index';
import {
	episodes,
	movies,
	qualityProfiles,
	searchRegistry,
	seasons,
	series,
	seriesSyncPending,
	tags,
	type SearchType
} from '../schema';
import { jsonParam } from '../schema/columns';
import { appendEvents } from './events';
import type { NewEvent } from '../../../types/events';
import type {
	MirrorEpisode,
	MirrorMovie,
	MirrorQualityProfile,
	MirrorSeason,
	MirrorSeries,
	MirrorTag
} from '../mirror';

export const BATCH_SIZE = 1000;

export function chunk<T>(items: readonly T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
	return out;
}

/** What one write did. Items are series, episodes and movies (not seasons, profiles or tags). */
export interface WriteStats {
	/** Items new to the mirror. */
	added: number;
	/** Items already mirrored whose row (or, for a series, a season) changed. */
	updated: number;
	/** Items deleted from the mirror (a removed series counts once, its episodes not). */
	removed: number;
	/**
	 * Mirror and search-state rows inserted, updated or deleted: series, seasons, episodes, movies,
	 * quality profiles, tags, search_registry (cascaded deletes included). Sync bookkeeping
	 * (series_sync_pending) is not counted.
	 */
	rowsWritten: number;
	/** Domain events appended. */
	events: number;
}

/**
 * Who is writing: `runId` (job_runs.id) goes into every event's subject; `source` (`webhook`) and
 * `eventType` (the notification's, `Download`) into every event's payload.
 */
export interface WriteContext {
	runId?: number;
	source?: string;
	eventType?: string;
}

export function emptyStats(): WriteStats {
	return { added: 0, updated: 0, removed: 0, rowsWritten: 0, events: 0 };
}

/** Adds `b` into `a` (in place) and returns `a`. */
export function addStats(a: WriteStats, b: WriteStats): WriteStats {
	a.added += b.added;
	a.updated += b.updated;
	a.removed += b.removed;
	a.rowsWritten += b.rowsWritten;
	a.events += b.events;
	return a;
}

/** A JSON array of ints as ONE jsonb parameter, so a list of any length fits in a statement. */
function intList(ids: readonly number[]): SQL {
	return sql`(select value::int from jsonb_array_elements_text(${JSON.stringify(ids)}::text::jsonb))`;
}

/** `column IN (ids)` with the ids as one parameter. */
function among(column: PgColumn, ids: readonly number[]): SQL {
	return sql`${column} in ${intList(ids)}`;
}

/** `SET col = excluded.col` for each column, plus the IS DISTINCT FROM guard over them. */
function upsertSet(columns: Record<string, PgColumn>): { set: Record<string, SQL>; where: SQL } {
	const set: Record<string, SQL> = {};
	const current: SQL[] = [];
	const incoming: SQL[] = [];
	for (const [key, column] of Object.entries(columns)) {
		const excluded = sql`excluded.${sql.identifier(column.name)}`;
		set[key] = excluded;
		current.push(sql`${column}`);
		incoming.push(excluded);
	}
	const where = sql`(${sql.join(current, sql`, `)}) is distinct from (${sql.join(incoming, sql`, `)})`;
	return { set, where };
}

/**
 * The SQL types a {@link jsonUpsert} record may declare, each with its fixed SQL text: a column's
 * type is looked up here, so no string ever becomes SQL text (no `sql.raw`).
 */
const RECORD_TYPES = {
	int: sql`int`,
	smallint: sql`smallint`,
	boolean: sql`boolean`,
	text: sql`text`,
	timestamptz: sql`timestamptz`,
	jsonb: sql`jsonb`,
	'varchar(10)': sql`varchar(10)`,
	'varchar(20)': sql`varchar(20)`,
	'varchar(50)': sql`varchar(50)`
} as const;
type RecordType = keyof typeof RECORD_TYPES;

/** One column of a {@link jsonUpsert}: the table column and its SQL type in the JSON record. */
type JsonColumn = readonly [PgColumn, RecordType];

/** `"name" type` of the record definition; the name quoted as an identifier. */
function recordColumn([column, type]: JsonColumn): SQL {
	const typeSql: SQL | undefined = RECORD_TYPES[type];
	if (!typeSql) throw new Error(`jsonUpsert: unknown record type ${String(type)}`);
	return sql`${sql.identifier(column.name)} ${typeSql}`;
}

/**
 * `INSERT … SELECT … FROM jsonb_to_recordset($1) … ON CONFLICT (target) DO UPDATE SET … WHERE (…)
 * IS DISTINCT FROM (…)` with all rows as ONE jsonb parameter (keys = column names). The hot
 * upserts use it: drizzle's builder spends more CPU binding 15 parameters × 1000 rows than
 * PostgreSQL spends writing them, and one parameter never meets the 65,535-parameter limit.
 * `update` columns are set from `excluded` (plus synced_at = now()) only when one differs.
 * @returns per written row whether it was inserted (false: updated)
 */
async function jsonUpsert(
	db: DbOrTx,
	table: typeof episodes | typeof movies,
	columns: readonly JsonColumn[],
	target: readonly PgColumn[],
	update: readonly PgColumn[],
	rows: readonly Record<string, unknown>[]
): Promise<boolean[]> {
	if (rows.length === 0) return [];
	const names = sql.join(
		columns.map(([c]) => sql.identifier(c.name)),
		sql`, `
	);
	const record = sql.join(columns.map(recordColumn), sql`, `);
	const set = sql.join(
		[
			...update.map((c) => sql`${sql.identifier(c.name)} = excluded.${sql.identifier(c.name)}`),
			sql`synced_at = now()`
		],
		sql`, `
	);
	const current = sql.join(
		update.map((c) => sql`${table}.${sql.identifier(c.name)}`),
		sql`, `
	);
	const incoming = sql.join(
		update.map((c) => sql`excluded.${sql.identifier(c.name)}`),
		sql`, `
	);
	const conflict = sql.join(
		target.map((c) => sql.identifier(c.name)),
		sql`, `
	);
	const result = await db.execute<{ inserted: boolean }>(sql`
		insert into ${table} (${names})
		select ${names} from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) as x(${record})
		on conflict (${conflict}) do update set ${set}
		where (${current}) is distinct from (${incoming})
		returning (xmax = 0) as inserted`);
	return result.map((r) => r.inserted);
}

/**
 * The stored rows a write compares with, read as the driver returns them (columns aliased to
 * their drizzle keys): for 500,000 rows drizzle's per-field result mapping costs more than the
 * query. Every column's driver value equals what drizzle would return (int, text, boolean,
 * timestamptz as Date, jsonb parsed), which the tests of this module hold to.
 */
async function selectStored<T>(
	db: DbOrTx,
	table: typeof episodes | typeof movies,
	where: SQL,
	lock: boolean
): Promise<T[]> {
	const columns = sql.join(
		Object.entries(getTableColumns(table)).map(
			([key, column]) => sql`${sql.identifier(column.name)} as ${sql.identifier(key)}`
		),
		sql`, `
	);
	const rows = await db.execute(
		sql`select ${columns} from ${table} where ${where}${lock ? sql` for update` : sql``}`
	);
	return rows as unknown as T[];
}

/** Equality of mirror values as they come from the driver and from the connectors. */
function same(a: unknown, b: unknown): boolean {
	if (a instanceof Date || b instanceof Date) {
		return a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : false;
	}
	if (Array.isArray(a) || Array.isArray(b)) {
		if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
		return a.every((x, i) => same(x, b[i]));
	}
	return (a ?? null) === (b ?? null);
}

/** True when any of `keys` differs between the stored row and the incoming values. */
function differs<T extends object>(stored: T, incoming: T, keys: readonly (keyof T)[]): boolean {
	return keys.some((k) => !same(stored[k], incoming[k]));
}

/** Deletes the search_registry rows of these items and search type. @returns rows deleted. */
async function clearSearchState(
	db: DbOrTx,
	kind: 'episode' | 'movie',
	itemIds: readonly number[],
	searchType: SearchType
): Promise<number> {
	if (itemIds.length === 0) return 0;
	const column = kind === 'episode' ? searchRegistry.episodeId : searchRegistry.movieId;
	let n = 0;
	for (const ids of chunk(itemIds, BATCH_SIZE * 10)) {
		const gone = await db
			.delete(searchRegistry)
			.where(and(eq(searchRegistry.searchType, searchType), among(column, ids)))
			.returning({ id: searchRegistry.id });
		n += gone.length;
	}
	return n;
}

/** What a file change means for events and search state. */
interface FileChange {
	/** Had no file, has one now. */
	acquired: boolean;
	/** Has a file that meets the cutoff now, and before had none or one below the cutoff. */
	metCutoff: boolean;
	/** Had a file and has one now, and it met the cutoff or is another file of another quality. */
	upgraded: boolean;
}

interface FileState {
	hasFile: boolean;
	qualityCutoffNotMet: boolean;
	quality: string | null;
	customFormatScore: number | null;
	fileId: number | null;
}

function fileChange(before: FileState, after: FileState): FileChange {
	const acquired = !before.hasFile && after.hasFile;
	const metCutoff =
		after.hasFile && !after.qualityCutoffNotMet && (!before.hasFile || before.qualityCutoffNotMet);
	const replaced =
		before.hasFile &&
		after.hasFile &&
		(before.quality !== after.quality ||
			(before.fileId !== after.fileId &&
				(before.customFormatScore ?? 0) !== (after.customFormatScore ?? 0)));
	const upgraded = before.hasFile && after.hasFile && (metCutoff || replaced);
	return { acquired, metCutoff, upgraded };
}

// ---- quality profiles and tags ---------------------------------------------------------------

const PROFILE_FIELDS = [
	'name',
	'upgradeAllowed',
	'cutoff',
	'cutoffFormatScore',
	'minFormatScore'
] as const;
/** The fields that change which files are below the cutoff (a rename does not). */
const PROFILE_JUDGING = [
	'upgradeAllowed',
	'cutoff',
	'cutoffFormatScore',
	'minFormatScore'
] as const;

/**
 * Mirrors a connector's quality profiles (`GET /api/v3/qualityprofile`) exactly: inserts new ones,
 * updates changed ones, deletes those gone (unless their id is in `keepArrIds`).
 * @returns `judgingChanged`: arr ids of profiles whose cutoff, upgradeAllowed or format scores
 *   changed (or that are new to a mirror that had profiles): their files must be re-read.
 */
export async function writeQualityProfiles(
	db: DbOrTx,
	connectorId: number,
	items: readonly MirrorQualityProfile[],
	keepArrIds: readonly number[] = []
): Promise<{ judgingChanged: number[]; rowsWritten: number }> {
	const stored = await db
		.select()
		.from(qualityProfiles)
		.where(eq(qualityProfiles.connectorId, connectorId))
		.for('update');
	const byArrId = new Map(stored.map((p) => [p.arrId, p]));
	const changed: MirrorQualityProfile[] = [];
	const judgingChanged: number[] = [];
	for (const p of items) {
		const old = byArrId.get(p.arrId);
		if (!old) {
			changed.push(p);
			if (stored.length > 0) judgingChanged.push(p.arrId);
		} else if (differs(old, { ...old, ...p }, PROFILE_FIELDS)) {
			changed.push(p);
			if (differs(old, { ...old, ...p }, PROFILE_JUDGING)) judgingChanged.push(p.arrId);
		}
	}
	let rowsWritten = 0;
	const update = upsertSet({
		name: qualityProfiles.name,
		upgradeAllowed: qualityProfiles.upgradeAllowed,
		cutoff: qualityProfiles.cutoff,
		cutoffFormatScore: qualityProfiles.cutoffFormatScore,
		minFormatScore: qualityProfiles.minFormatScore
	});
	for (const batch of chunk(changed, BATCH_SIZE)) {
		const rows = await db
			.insert(qualityProfiles)
			.values(batch.map((p) => ({ connectorId, ...p })))
			.onConflictDoUpdate({
				target: [qualityProfiles.connectorId, qualityProfiles.arrId],
				set: { ...update.set, syncedAt: sql`now()` },
				setWhere: update.where
			})
			.returning({ id: qualityProfiles.id });
		rowsWritten += rows.length;
	}
	const keep = new Set([...items.map((p) => p.arrId), ...keepArrIds]);
	const gone = stored.filter((p) => !keep.has(p.arrId)).map((p) => p.id);
	if (gone.length > 0) {
		const rows = await db
			.delete(qualityProfiles)
			.where(inArray(qualityProfiles.id, gone))
			.returning({ id: qualityProfiles.id });
		rowsWritten += rows.length;
	}
	return { judgingChanged, rowsWritten };
}

/** Mirrors a connector's tags (`GET /api/v3/tag`) exactly. @returns rows written. */
export async function writeTags(
	db: DbOrTx,
	connectorId: number,
	items: readonly MirrorTag[]
): Promise<number> {
	const stored = await db
		.select()
		.from(tags)
		.where(eq(tags.connectorId, connectorId))
		.for('update');
	const byArrId = new Map(stored.map((t) => [t.arrId, t]));
	const changed = items.filter((t) => byArrId.get(t.arrId)?.label !== t.label);
	let rowsWritten = 0;
	for (const batch of chunk(changed, BATCH_SIZE)) {
		const rows = await db
			.insert(tags)
			.values(batch.map((t) => ({ connectorId, ...t })))
			.onConflictDoUpdate({
				target: [tags.connectorId, tags.arrId],
				set: { label: sql`excluded.label`, syncedAt: sql`now()` },
				setWhere: sql`${tags.label} is distinct from excluded.label`
			})
			.returning({ id: tags.id });
		rowsWritten += rows.length;
	}
	const keep = new Set(items.map((t) => t.arrId));
	const gone = stored.filter((t) => !keep.has(t.arrId)).map((t) => t.id);
	if (gone.length > 0) {
		const rows = await db.delete(tags).where(inArray(tags.id, gone)).returning({ id: tags.id });
		rowsWritten += rows.length;
	}
	return rowsWritten;
}

/** The tag ids mirrored for a connector (sync reads `GET /api/v3/tag` when an unknown one shows up). */
export async function mirroredTagIds(db: DbOrTx, connectorId: number): Promise<Set<number>> {
	const rows = await db
		.select({ arrId: tags.arrId })
		.from(tags)
		.where(eq(tags.connectorId, connectorId));
	return new Set(rows.map((r) => r.arrId));
}

// ---- series and seasons ----------------------------------------------------------------------

const SERIES_FIELDS = [
	'title',
	'sortTitle',
	'status',
	'seriesType',
	'monitored',
	'year',
	'tvdbId',
	'imdbId',
	'tmdbId',
	'qualityProfileId',
	'tags',
	'added'
] as const satisfies readonly (keyof MirrorSeries)[];

const SEASON_FIELDS = [
	'monitored',
	'episodeFileCount',
	'episodeCount',
	'totalEpisodeCount',
	'nextAiring',
	'previousAiring',
	'sizeOnDisk'
] as const satisfies readonly (keyof MirrorSeason)[];

const seriesUpdate = upsertSet({
	title: series.title,
	sortTitle: series.sortTitle,
	status: series.status,
	seriesType: series.seriesType,
	monitored: series.monitored,
	year: series.year,
	tvdbId: series.tvdbId,
	imdbId: series.imdbId,
	tmdbId: series.tmdbId,
	qualityProfileId: series.qualityProfileId,
	tags: series.tags,
	added: series.added
});

const seasonUpdate = upsertSet({
	monitored: seasons.monitored,
	episodeFileCount: seasons.episodeFileCount,
	episodeCount: seasons.episodeCount,
	totalEpisodeCount: seasons.totalEpisodeCount,
	nextAiring: seasons.nextAiring,
	previousAiring: seasons.previousAiring,
	sizeOnDisk: seasons.sizeOnDisk
});

/** What {@link writeSeries} did, besides its stats. */
export interface SeriesWriteResult extends WriteStats {
	/** arr id → our series id, for every given series. */
	ids: Map<number, number>;
	/** Our ids of the series that are new or changed (fields or seasons): their episodes are stale. */
	changedSeriesIds: number[];
}

/**
 * Writes series and their seasons (statistics included) where they differ from the mirror, and
 * marks every new or changed series as needing its episodes re-read (series_sync_pending, reason
 * `new` / `changed`). Seasons gone from a listed series are deleted (cascading to nothing: episodes
 * belong to the series). Does not remove series missing from `items`.
 */
export async function writeSeries(
	db: DbOrTx,
	connectorId: number,
	items: readonly MirrorSeries[]
): Promise<SeriesWriteResult> {
	const result: SeriesWriteResult = { ...emptyStats(), ids: new Map(), changedSeriesIds: [] };
	for (const batch of chunk(items, BATCH_SIZE)) {
		await writeSeriesBatch(db, connectorId, batch, result);
	}
	return result;
}

async function writeSeriesBatch(
	db: DbOrTx,
	connectorId: number,
	batch: readonly MirrorSeries[],
	result: SeriesWriteResult
): Promise<void> {
	if (batch.length === 0) return;
	const stored = await db
		.select()
		.from(series)
		.where(
			and(
				eq(series.connectorId, connectorId),
				among(
					series.arrId,
					batch.map((s) => s.arrId)
				)
			)
		)
		.for('update');
	const storedByArrId = new Map(stored.map((s) => [s.arrId, s]));
	const storedSeasons =
		stored.length === 0
			? []
			: await db
					.select()
					.from(seasons)
					.where(
						among(
							seasons.seriesId,
							stored.map((s) => s.id)
						)
					);
	const seasonsBySeries = new Map<number, Map<number, (typeof storedSeasons)[number]>>();
	for (const season of storedSeasons) {
		let m = seasonsBySeries.get(season.seriesId);
		if (!m) seasonsBySeries.set(season.seriesId, (m = new Map()));
		m.set(season.seasonNumber, season);
	}

	const toUpsert: MirrorSeries[] = [];
	const seasonsChanged = new Set<number>(); // arr ids whose seasons need writing
	for (const s of batch) {
		const old = storedByArrId.get(s.arrId);
		if (!old) {
			toUpsert.push(s);
			seasonsChanged.add(s.arrId);
			continue;
		}
		result.ids.set(s.arrId, old.id);
		if (differs(old as unknown as MirrorSeries, s, SERIES_FIELDS)) toUpsert.push(s);
		const oldSeasons = seasonsBySeries.get(old.id) ?? new Map();
		const seasonDiff =
			oldSeasons.size !== s.seasons.length ||
			s.seasons.some((season) => {
				const o = oldSeasons.get(season.seasonNumber);
				return !o || differs(o as unknown as MirrorSeason, season, SEASON_FIELDS);
			});
		if (seasonDiff) seasonsChanged.add(s.arrId);
	}

	const inserted = new Set<number>();
	if (toUpsert.length > 0) {
		const rows = await db
			.insert(series)
			.values(
				toUpsert.map((s) => ({
					connectorId,
					arrId: s.arrId,
					title: s.title,
					sortTitle: s.sortTitle,
					status: s.status,
					seriesType: s.seriesType,
					monitored: s.monitored,
					year: s.year,
					tvdbId: s.tvdbId,
					imdbId: s.imdbId,
					tmdbId: s.tmdbId,
					qualityProfileId: s.qualityProfileId,
					tags: s.tags,
					added: s.added
				}))
			)
			.onConflictDoUpdate({
				target: [series.connectorId, series.arrId],
				set: { ...seriesUpdate.set, syncedAt: sql`now()` },
				setWhere: seriesUpdate.where
			})
			.returning({ id: series.id, arrId: series.arrId, inserted: sql<boolean>`xmax = 0` });
		result.rowsWritten += rows.length;
		for (const row of rows) {
			result.ids.set(row.arrId, row.id);
			if (row.inserted) inserted.add(row.arrId);
		}
	}

	// Seasons of the series whose seasons differ: upsert those that differ, delete those gone.
	const seasonRows: (MirrorSeason & { connectorId: number; seriesId: number })[] = [];
	for (const s of batch) {
		if (!seasonsChanged.has(s.arrId)) continue;
		const seriesId = result.ids.get(s.arrId);
		if (seriesId === undefined) continue;
		const oldSeasons = seasonsBySeries.get(seriesId) ?? new Map();
		for (const season of s.seasons) {
			const o = oldSeasons.get(season.seasonNumber);
			if (!o || differs(o as unknown as MirrorSeason, season, SEASON_FIELDS)) {
				seasonRows.push({ connectorId, seriesId, ...season });
			}
		}
	}
	for (const rows of chunk(seasonRows, BATCH_SIZE)) {
		const written = await db
			.insert(seasons)
			.values(rows)
			.onConflictDoUpdate({
				target: [seasons.seriesId, seasons.seasonNumber],
				set: { ...seasonUpdate.set, syncedAt: sql`now()` },
				setWhere: seasonUpdate.where
			})
			.returning({ id: seasons.id });
		result.rowsWritten += written.length;
	}
	for (const s of batch) {
		if (!seasonsChanged.has(s.arrId)) continue;
		const seriesId = result.ids.get(s.arrId);
		const oldSeasons = seriesId === undefined ? undefined : seasonsBySeries.get(seriesId);
		if (!oldSeasons) continue;
		const keep = new Set(s.seasons.map((x) => x.seasonNumber));
		const gone = [...oldSeasons.values()].filter((o) => !keep.has(o.seasonNumber)).map((o) => o.id);
		if (gone.length > 0) {
			const rows = await db
				.delete(seasons)
				.where(inArray(seasons.id, gone))
				.returning({ id: seasons.id });
			result.rowsWritten += rows.length;
		}
	}

	const changed = new Set<number>([...toUpsert.map((s) => s.arrId), ...seasonsChanged]);
	const pending: { seriesId: number; connectorId: number; reason: string }[] = [];
	for (const arrId of changed) {
		const seriesId = result.ids.get(arrId);
		if (seriesId === undefined) continue;
		const isNew = inserted.has(arrId);
		if (isNew) result.added++;
		else result.updated++;
		result.changedSeriesIds.push(seriesId);
		pending.push({ seriesId, connectorId, reason: isNew ? 'new' : 'changed' });
	}
	if (pending.length > 0) {
		await db.insert(seriesSyncPending).values(pending).onConflictDoNothing();
	}
}

/**
 * Upserts series and their seasons; returns arr id → our series id for every given series.
 * (Kept for existing callers; {@link writeSeries} also reports what changed.)
 */
export async function upsertSeries(
	db: DbOrTx,
	connectorId: number,
	items: readonly MirrorSeries[]
): Promise<Map<number, number>> {
	return (await writeSeries(db, connectorId, items)).ids;
}

/**
 * Marks series as needing their episodes and files re-read by the next sync (or the running
 * one): by our ids, by arr ids, or every series using one of the given quality profiles.
 * @returns series newly marked
 */
export async function markSeriesPending(
	db: DbOrTx,
	connectorId: number,
	which:
		| { seriesIds: readonly number[] }
		| { arrIds: readonly number[] }
		| { qualityProfileArrIds: readonly number[] },
	reason: 'history' | 'profile' | 'changed' | 'full'
): Promise<number> {
	let condition: SQL;
	if ('seriesIds' in which) {
		if (which.seriesIds.length === 0) return 0;
		condition = among(series.id, which.seriesIds);
	} else if ('arrIds' in which) {
		if (which.arrIds.length === 0) return 0;
		condition = among(series.arrId, which.arrIds);
	} else {
		if (which.qualityProfileArrIds.length === 0) return 0;
		condition = among(series.qualityProfileId, which.qualityProfileArrIds);
	}
	const rows = await db.execute<{ series_id: number }>(sql`
		insert into ${seriesSyncPending} (series_id, connector_id, reason)
		select ${series.id}, ${series.connectorId}, ${reason} from ${series}
		where ${series.connectorId} = ${connectorId} and ${condition}
		on conflict do nothing
		returning series_id`);
	return rows.length;
}

/** A series whose episodes a sync reads: our id, arr id, and `series.episodes_digest`. */
export interface SeriesToRead {
	seriesId: number;
	arrId: number;
	episodesDigest: string | null;
}

/** The series of a connector whose episodes are to be re-read. */
export async function pendingSeries(db: DbOrTx, connectorId: number): Promise<SeriesToRead[]> {
	return db
		.select({ seriesId: series.id, arrId: series.arrId, episodesDigest: series.episodesDigest })
		.from(seriesSyncPending)
		.innerJoin(series, eq(series.id, seriesSyncPending.seriesId))
		.where(eq(seriesSyncPending.connectorId, connectorId))
		.orderBy(series.arrId);
}

/** Every mirrored series of a connector, in arr id order. */
export async function mirroredSeries(db: DbOrTx, connectorId: number): Promise<SeriesToRead[]> {
	return db
		.select({ seriesId: series.id, arrId: series.arrId, episodesDigest: series.episodesDigest })
		.from(series)
		.where(eq(series.connectorId, connectorId))
		.orderBy(series.arrId);
}

/** Removes series (with seasons, episodes and search state) matching `condition`; emits item.removed. */
async function removeSeriesWhere(
	db: DbOrTx,
	connectorId: number,
	condition: SQL,
	ctx: WriteContext
): Promise<WriteStats> {
	const stats = emptyStats();
	const doomed = await db.execute<{
		id: number;
		arr_id: number;
		title: string;
		episodes: number;
		seasons: number;
		registry: number;
	}>(sql`
		select s.id, s.arr_id, s.title,
			(select count(*)::int from ${episodes} e where e.series_id = s.id) as episodes,
			(select count(*)::int from ${seasons} n where n.series_id = s.id) as seasons,
			(select count(*)::int from ${searchRegistry} r join ${episodes} e on e.id = r.episode_id
				where e.series_id = s.id) as registry
		from ${series} s where s.connector_id = ${connectorId} and ${condition}
		for update of s`);
	if (doomed.length === 0) return stats;
	for (const ids of chunk(
		doomed.map((d) => d.id),
		BATCH_SIZE * 10
	)) {
		await db.delete(series).where(inArray(series.id, ids));
	}
	const events: NewEvent[] = doomed.map((d) => ({
		type: 'item.removed',
		connectorId,
		subject: { seriesId: d.id, arrSeriesId: d.arr_id, ...runOf(ctx) },
		payload: { ...originOf(ctx), kind: 'series', title: d.title, episodes: d.episodes }
	}));
	stats.removed = doomed.length;
	stats.rowsWritten = doomed.reduce((n, d) => n + 1 + d.episodes + d.seasons + d.registry, 0);
	stats.events = await appendEvents(db, events);
	return stats;
}

/** Removes the series of a connector whose arr ids are not in `keepArrIds`; emits item.removed. */
export async function removeSeriesExceptWithStats(
	db: DbOrTx,
	connectorId: number,
	keepArrIds: readonly number[],
	ctx: WriteContext = {}
): Promise<WriteStats> {
	return removeSeriesWhere(db, connectorId, sql`s.arr_id not in ${intList(keepArrIds)}`, ctx);
}

/** Removes the given series (by arr id); emits item.removed. */
export async function removeSeriesByArrIds(
	db: DbOrTx,
	connectorId: number,
	arrIds: readonly number[],
	ctx: WriteContext = {}
): Promise<WriteStats> {
	if (arrIds.length === 0) return emptyStats();
	return removeSeriesWhere(db, connectorId, sql`s.arr_id in ${intList(arrIds)}`, ctx);
}

/** Removes the series of a connector whose arr ids are not in `keepArrIds` (cascades). Returns the count. */
export async function removeSeriesExcept(
	db: DbOrTx,
	connectorId: number,
	keepArrIds: readonly number[]
): Promise<number> {
	return (await removeSeriesExceptWithStats(db, connectorId, keepArrIds)).removed;
}

// ---- episodes --------------------------------------------------------------------------------

const EPISODE_FIELDS = [
	'seasonNumber',
	'episodeNumber',
	'title',
	'airDateUtc',
	'runtime',
	'monitored',
	'hasFile',
	'episodeFileId',
	'quality',
	'qualityCutoffNotMet',
	'customFormatScore',
	'lastSearchTime'
] as const satisfies readonly (keyof MirrorEpisode)[];

/** Columns of the episode upsert: the conflict key, then what an update sets. */
const EPISODE_UPDATE: readonly PgColumn[] = [
	episodes.seriesId,
	episodes.seasonNumber,
	episodes.episodeNumber,
	episodes.title,
	episodes.airDateUtc,
	episodes.runtime,
	episodes.monitored,
	episodes.hasFile,
	episodes.episodeFileId,
	episodes.quality,
	episodes.qualityCutoffNotMet,
	episodes.customFormatScore,
	episodes.lastSearchTime
];
const EPISODE_COLUMNS: readonly JsonColumn[] = [
	[episodes.connectorId, 'int'],
	[episodes.seriesId, 'int'],
	[episodes.arrId, 'int'],
	[episodes.seasonNumber, 'int'],
	[episodes.episodeNumber, 'int'],
	[episodes.title, 'text'],
	[episodes.airDateUtc, 'timestamptz'],
	[episodes.runtime, 'smallint'],
	[episodes.monitored, 'boolean'],
	[episodes.hasFile, 'boolean'],
	[episodes.episodeFileId, 'int'],
	[episodes.quality, 'varchar(50)'],
	[episodes.qualityCutoffNotMet, 'boolean'],
	[episodes.customFormatScore, 'int'],
	[episodes.lastSearchTime, 'timestamptz']
];

function runOf(ctx: WriteContext): { runId?: number } {
	return ctx.runId === undefined ? {} : { runId: ctx.runId };
}

function originOf(ctx: WriteContext): { source?: string; eventType?: string } {
	return {
		...(ctx.source === undefined ? {} : { source: ctx.source }),
		...(ctx.eventType === undefined ? {} : { eventType: ctx.eventType })
	};
}

/** The episodes of one series as the app lists them, for {@link writeEpisodesOfSeries}. */
export interface SeriesEpisodes {
	seriesId: number;
	items: readonly MirrorEpisode[];
	/** Ids that were present but unreadable: kept, never deleted. */
	keepArrIds?: readonly number[];
	/**
	 * Digest of the app's lists these items were read from (`series.episodes_digest`); absent or
	 * null when they were not read from such lists, which clears the stored one.
	 */
	digest?: string | null;
}

/**
 * Writes the episodes (with their files' quality state) of one series as the app lists them:
 * inserts new ones, updates changed ones, deletes those not listed (`keepArrIds` adds ids that were
 * present but unreadable). Emits item.acquired / item.upgraded / item.removed (one event per kind,
 * with the episode ids) and clears the search state of episodes that gained a file or met the
 * cutoff. Also clears the series' series_sync_pending mark. All in `db` (pass a transaction).
 */
export async function writeSeriesEpisodes(
	db: DbOrTx,
	connectorId: number,
	seriesId: number,
	items: readonly MirrorEpisode[],
	options: WriteContext & { keepArrIds?: readonly number[]; digest?: string | null } = {}
): Promise<WriteStats> {
	return writeEpisodesOfSeries(
		db,
		connectorId,
		[
			{
				seriesId,
				items,
				...(options.keepArrIds ? { keepArrIds: options.keepArrIds } : {}),
				digest: options.digest ?? null
			}
		],
		options
	);
}

/**
 * {@link writeSeriesEpisodes} for several series at once (one read of the stored rows, one upsert
 * per 1000 rows): what sync uses so a 500,000-episode library is not 5,000 round trips of small
 * statements. Series no longer in the mirror are ignored.
 */
export async function writeEpisodesOfSeries(
	db: DbOrTx,
	connectorId: number,
	list: readonly SeriesEpisodes[],
	ctx: WriteContext = {}
): Promise<WriteStats> {
	const stats = emptyStats();
	if (list.length === 0) return stats;
	// Lock the series rows: a sync and a webhook refresh of one series write one after the other.
	const owners = await db
		.select({ id: series.id, arrId: series.arrId })
		.from(series)
		.where(
			among(
				series.id,
				list.map((l) => l.seriesId)
			)
		)
		.orderBy(series.id)
		.for('update');
	const arrIdOf = new Map(owners.map((o) => [o.id, o.arrId]));
	const present = list.filter((l) => arrIdOf.has(l.seriesId));
	if (present.length === 0) return stats;
	const stored = await selectStored<typeof episodes.$inferSelect>(
		db,
		episodes,
		among(
			episodes.seriesId,
			present.map((l) => l.seriesId)
		),
		false
	);
	const storedBySeries = new Map<number, Map<number, (typeof stored)[number]>>();
	for (const e of stored) {
		let m = storedBySeries.get(e.seriesId);
		if (!m) storedBySeries.set(e.seriesId, (m = new Map()));
		m.set(e.arrId, e);
	}
	type Ref = { id: number; arrId: number; quality: string | null };
	const toWrite: { seriesId: number; e: MirrorEpisode }[] = [];
	const gone: { id: number; arrId: number; seriesId: number }[] = [];
	const clearGap: number[] = [];
	const clearUpgrade: number[] = [];
	const events: NewEvent[] = [];
	for (const { seriesId, items, keepArrIds } of present) {
		const byArrId = storedBySeries.get(seriesId) ?? new Map<number, (typeof stored)[number]>();
		const acquired: Ref[] = [];
		const upgraded: Ref[] = [];
		for (const e of items) {
			const old = byArrId.get(e.arrId);
			if (!old) {
				toWrite.push({ seriesId, e });
				continue;
			}
			if (!differs(old as unknown as MirrorEpisode, e, EPISODE_FIELDS)) continue;
			toWrite.push({ seriesId, e });
			const change = fileChange(
				{ ...old, fileId: old.episodeFileId },
				{ ...e, fileId: e.episodeFileId }
			);
			if (change.acquired) {
				acquired.push({ id: old.id, arrId: e.arrId, quality: e.quality });
				clearGap.push(old.id);
			}
			if (change.upgraded) upgraded.push({ id: old.id, arrId: e.arrId, quality: e.quality });
			if (change.metCutoff) clearUpgrade.push(old.id);
		}
		const keep = new Set([...items.map((e) => e.arrId), ...(keepArrIds ?? [])]);
		const removed = [...byArrId.values()].filter((e) => !keep.has(e.arrId));
		for (const e of removed) gone.push({ id: e.id, arrId: e.arrId, seriesId });
		const subject = (refs: { id: number; arrId: number }[]) => ({
			seriesId,
			arrSeriesId: arrIdOf.get(seriesId) ?? 0,
			episodeIds: refs.map((r) => r.id),
			arrEpisodeIds: refs.map((r) => r.arrId),
			...runOf(ctx)
		});
		if (acquired.length > 0) {
			events.push({
				type: 'item.acquired',
				connectorId,
				subject: subject(acquired),
				payload: { ...originOf(ctx), kind: 'episode', qualities: acquired.map((r) => r.quality) }
			});
		}
		if (upgraded.length > 0) {
			events.push({
				type: 'item.upgraded',
				connectorId,
				subject: subject(upgraded),
				payload: { ...originOf(ctx), kind: 'episode', qualities: upgraded.map((r) => r.quality) }
			});
		}
		if (removed.length > 0) {
			events.push({
				type: 'item.removed',
				connectorId,
				subject: subject(removed),
				payload: { ...originOf(ctx), kind: 'episode' }
			});
		}
	}
	for (const batch of chunk(toWrite, BATCH_SIZE)) {
		const inserted = await jsonUpsert(
			db,
			episodes,
			EPISODE_COLUMNS,
			[episodes.connectorId, episodes.arrId],
			EPISODE_UPDATE,
			batch.map(({ seriesId, e }) => ({
				connector_id: connectorId,
				series_id: seriesId,
				arr_id: e.arrId,
				season_number: e.seasonNumber,
				episode_number: e.episodeNumber,
				title: e.title,
				air_date_utc: e.airDateUtc,
				runtime: e.runtime,
				monitored: e.monitored,
				has_file: e.hasFile,
				episode_file_id: e.episodeFileId,
				quality: e.quality,
				quality_cutoff_not_met: e.qualityCutoffNotMet,
				custom_format_score: e.customFormatScore,
				last_search_time: e.lastSearchTime
			}))
		);
		stats.rowsWritten += inserted.length;
		for (const isNew of inserted) {
			if (isNew) stats.added++;
			else stats.updated++;
		}
	}
	if (gone.length > 0) {
		const ids = gone.map((e) => e.id);
		const registry = await db
			.select({ n: sql<number>`count(*)::int` })
			.from(searchRegistry)
			.where(among(searchRegistry.episodeId, ids));
		for (const part of chunk(ids, BATCH_SIZE * 10)) {
			const rows = await db
				.delete(episodes)
				.where(inArray(episodes.id, part))
				.returning({ id: episodes.id });
			stats.removed += rows.length;
			stats.rowsWritten += rows.length;
		}
		stats.rowsWritten += registry[0]?.n ?? 0;
	}
	stats.rowsWritten += await clearSearchState(db, 'episode', clearGap, 'gap');
	stats.rowsWritten += await clearSearchState(db, 'episode', clearUpgrade, 'upgrade');
	stats.events = await appendEvents(db, events);
	await db.delete(seriesSyncPending).where(
		among(
			seriesSyncPending.seriesId,
			present.map((l) => l.seriesId)
		)
	);
	await storeEpisodeDigests(
		db,
		present.map((l) => ({
			seriesId: l.seriesId,
			digest: (l.keepArrIds?.length ?? 0) > 0 ? null : (l.digest ?? null)
		}))
	);
	return stats;
}

/**
 * Sets `series.episodes_digest` where it differs (bookkeeping: not counted as mirror rows written).
 * Part of the episode write's transaction, so a digest never describes rows not written.
 */
async function storeEpisodeDigests(
	db: DbOrTx,
	list: readonly { seriesId: number; digest: string | null }[]
): Promise<void> {
	if (list.length === 0) return;
	await db.execute(sql`
		update ${series} s set episodes_digest = d.digest
		from jsonb_to_recordset(${jsonParam(list)}) as d("seriesId" int, digest text)
		where s.id = d."seriesId" and s.episodes_digest is distinct from d.digest`);
}

/**
 * Series whose episode lists came back with the digest the mirror stored (nothing to write): their
 * series_sync_pending marks are cleared, as a write would have. A series whose stored digest is no
 * longer the one its lists matched (another write, e.g. a webhook refresh, changed its episodes
 * since the sync read it) is marked pending instead, so the next sync reads it again.
 * @returns how many episodes the mirror holds for them — what the app listed, as the digest says
 */
export async function settleUnchangedSeries(
	db: DbOrTx,
	list: readonly { seriesId: number; digest: string }[]
): Promise<number> {
	if (list.length === 0) return 0;
	const seriesIds = list.map((l) => l.seriesId);
	const stored = await db
		.select({ id: series.id, connectorId: series.connectorId, digest: series.episodesDigest })
		.from(series)
		.where(among(series.id, seriesIds));
	const matched = new Map(list.map((l) => [l.seriesId, l.digest]));
	const moved = stored.filter((r) => r.digest !== matched.get(r.id));
	const settled = stored.filter((r) => r.digest === matched.get(r.id)).map((r) => r.id);
	if (settled.length > 0) {
		await db.delete(seriesSyncPending).where(among(seriesSyncPending.seriesId, settled));
	}
	if (moved.length > 0) {
		await db
			.insert(seriesSyncPending)
			.values(moved.map((r) => ({ seriesId: r.id, connectorId: r.connectorId, reason: 'changed' })))
			.onConflictDoNothing();
	}
	const [row] = await db
		.select({ n: sql<number>`count(*)::int` })
		.from(episodes)
		.where(among(episodes.seriesId, seriesIds));
	return row?.n ?? 0;
}

/**
 * Upserts the episodes of one series and removes that series' episodes not listed
 * (`keepArrIds` adds ids that were present but unreadable). Returns the number removed.
 * (Kept for existing callers; events and search-state changes as {@link writeSeriesEpisodes}.)
 */
export async function replaceSeriesEpisodes(
	db: DbOrTx,
	connectorId: number,
	seriesId: number,
	items: readonly MirrorEpisode[],
	keepArrIds: readonly number[] = []
): Promise<number> {
	return (await writeSeriesEpisodes(db, connectorId, seriesId, items, { keepArrIds })).removed;
}

// ---- movies ----------------------------------------------------------------------------------

const MOVIE_FIELDS = [
	'title',
	'sortTitle',
	'year',
	'status',
	'monitored',
	'hasFile',
	'movieFileId',
	'quality',
	'qualityCutoffNotMet',
	'customFormatScore',
	'qualityProfileId',
	'tags',
	'minimumAvailability',
	'isAvailable',
	'tmdbId',
	'imdbId',
	'itemType',
	'releaseDate',
	'lastSearchTime',
	'added'
] as const satisfies readonly (keyof MirrorMovie)[];

/** Columns of the movie upsert: the conflict key (connector_id, arr_id), then what an update sets. */
const MOVIE_COLUMNS: readonly JsonColumn[] = [
	[movies.connectorId, 'int'],
	[movies.arrId, 'int'],
	[movies.title, 'text'],
	[movies.sortTitle, 'text'],
	[movies.year, 'int'],
	[movies.status, 'varchar(20)'],
	[movies.monitored, 'boolean'],
	[movies.hasFile, 'boolean'],
	[movies.movieFileId, 'int'],
	[movies.quality, 'varchar(50)'],
	[movies.qualityCutoffNotMet, 'boolean'],
	[movies.customFormatScore, 'int'],
	[movies.qualityProfileId, 'int'],
	[movies.tags, 'jsonb'],
	[movies.minimumAvailability, 'varchar(20)'],
	[movies.isAvailable, 'boolean'],
	[movies.tmdbId, 'int'],
	[movies.imdbId, 'varchar(20)'],
	[movies.itemType, 'varchar(10)'],
	[movies.releaseDate, 'timestamptz'],
	[movies.lastSearchTime, 'timestamptz'],
	[movies.added, 'timestamptz']
];

/**
 * Writes movies where they differ from the mirror (inserts new ones, updates changed ones; never
 * removes). Emits item.acquired / item.upgraded per movie and clears the search state of movies
 * that gained a file or met the cutoff.
 */
export async function writeMovies(
	db: DbOrTx,
	connectorId: number,
	items: readonly MirrorMovie[],
	ctx: WriteContext = {}
): Promise<WriteStats> {
	const stats = emptyStats();
	for (const batch of chunk(items, BATCH_SIZE)) {
		const stored = await selectStored<typeof movies.$inferSelect>(
			db,
			movies,
			and(
				eq(movies.connectorId, connectorId),
				among(
					movies.arrId,
					batch.map((m) => m.arrId)
				)
			)!,
			true
		);
		const byArrId = new Map(stored.map((m) => [m.arrId, m]));
		const toWrite: MirrorMovie[] = [];
		const events: NewEvent[] = [];
		const clearGap: number[] = [];
		const clearUpgrade: number[] = [];
		for (const m of batch) {
			const old = byArrId.get(m.arrId);
			if (!old) {
				toWrite.push(m);
				continue;
			}
			if (!differs(old as unknown as MirrorMovie, m, MOVIE_FIELDS)) continue;
			toWrite.push(m);
			const change = fileChange(
				{ ...old, fileId: old.movieFileId },
				{ ...m, fileId: m.movieFileId }
			);
			const subject = { movieId: old.id, arrMovieId: m.arrId, ...runOf(ctx) };
			if (change.acquired) {
				clearGap.push(old.id);
				events.push({
					type: 'item.acquired',
					connectorId,
					subject,
					payload: { ...originOf(ctx), kind: 'movie', title: m.title, quality: m.quality }
				});
			}
			if (change.upgraded) {
				events.push({
					type: 'item.upgraded',
					connectorId,
					subject,
					payload: {
						...originOf(ctx),
						kind: 'movie',
						title: m.title,
						from: old.quality,
						quality: m.quality
					}
				});
			}
			if (change.metCutoff) clearUpgrade.push(old.id);
		}
		const inserted = await jsonUpsert(
			db,
			movies,
			MOVIE_COLUMNS,
			[movies.connectorId, movies.arrId],
			MOVIE_COLUMNS.slice(2).map(([c]) => c),
			toWrite.map((m) => ({
				connector_id: connectorId,
				arr_id: m.arrId,
				title: m.title,
				sort_title: m.sortTitle,
				year: m.year,
				status: m.status,
				monitored: m.monitored,
				has_file: m.hasFile,
				movie_file_id: m.movieFileId,
				quality: m.quality,
				quality_cutoff_not_met: m.qualityCutoffNotMet,
				custom_format_score: m.customFormatScore,
				quality_profile_id: m.qualityProfileId,
				tags: m.tags,
				minimum_availability: m.minimumAvailability,
				is_available: m.isAvailable,
				tmdb_id: m.tmdbId,
				imdb_id: m.imdbId,
				item_type: m.itemType,
				release_date: m.releaseDate,
				last_search_time: m.lastSearchTime,
				added: m.added
			}))
		);
		stats.rowsWritten += inserted.length;
		for (const isNew of inserted) {
			if (isNew) stats.added++;
			else stats.updated++;
		}
		stats.rowsWritten += await clearSearchState(db, 'movie', clearGap, 'gap');
		stats.rowsWritten += await clearSearchState(db, 'movie', clearUpgrade, 'upgrade');
		stats.events += await appendEvents(db, events);
	}
	return stats;
}

async function removeMoviesWhere(
	db: DbOrTx,
	connectorId: number,
	condition: SQL,
	ctx: WriteContext
): Promise<WriteStats> {
	const stats = emptyStats();
	const gone = await db.execute<{
		id: number;
		arr_id: number;
		title: string;
		registry: number;
	}>(sql`
		with gone as (
			delete from ${movies} m where m.connector_id = ${connectorId} and ${condition}
			returning m.id, m.arr_id, m.title)
		select g.id, g.arr_id, g.title,
			(select count(*)::int from ${searchRegistry} r where r.movie_id = g.id) as registry
		from gone g`);
	if (gone.length === 0) return stats;
	stats.removed = gone.length;
	stats.rowsWritten = gone.reduce((n, g) => n + 1 + g.registry, 0);
	stats.events = await appendEvents(
		db,
		gone.map((g) => ({
			type: 'item.removed',
			connectorId,
			subject: { movieId: g.id, arrMovieId: g.arr_id, ...runOf(ctx) },
			payload: { ...originOf(ctx), kind: 'movie', title: g.title }
		}))
	);
	return stats;
}

/** Removes the connector's movies whose arr ids are not in `keepArrIds`; emits item.removed. */
export async function removeMoviesExcept(
	db: DbOrTx,
	connectorId: number,
	keepArrIds: readonly number[],
	ctx: WriteContext = {}
): Promise<WriteStats> {
	return removeMoviesWhere(db, connectorId, sql`m.arr_id not in ${intList(keepArrIds)}`, ctx);
}

/** Removes the given movies (by arr id); emits item.removed. */
export async function removeMoviesByArrIds(
	db: DbOrTx,
	connectorId: number,
	arrIds: readonly number[],
	ctx: WriteContext = {}
): Promise<WriteStats> {
	if (arrIds.length === 0) return emptyStats();
	return removeMoviesWhere(db, connectorId, sql`m.arr_id in ${intList(arrIds)}`, ctx);
}

/**
 * Upserts movies; removes the connector's movies not listed. Returns the number removed.
 * (Kept for existing callers; events and search-state changes as {@link writeMovies}.)
 */
export async function replaceMovies(
	db: DbOrTx,
	connectorId: number,
	items: readonly MirrorMovie[],
	keepArrIds: readonly number[] = []
): Promise<number> {
	await writeMovies(db, connectorId, items);
	const keep = [...items.map((m) => m.arrId), ...keepArrIds];
	return (await removeMoviesExcept(db, connectorId, keep)).removed;
}
