/**
 * Rendering notifications: the title, body and fields of one message from the events it
 * reports — one event, a digest of similar events ("Acquired 15 episodes across 3 series"), or a
 * mixed digest (quiet hours, the hourly limit) that lists each kind — and the channel's templates
 * applied over that text.
 *
 * Pure functions: titles of series, episodes, movies and connectors come in a `RenderLookup`
 * (render-context.ts reads it from the database), because an event's subject carries ids only and
 * the rows may be gone by the time a message is sent.
 *
 * Templates (`ChannelTemplates.title` / `.body`) may use these placeholders; any other
 * `{word}` is left exactly as typed:
 * - `{content_title}` the series / movie title of a single-item message (with `SxxEyy` for one
 *   episode), otherwise the built-in title ("Acquired 15 episodes across 3 series");
 * - `{content_year}` the year of that one item, else empty;
 * - `{connector_name}` / `{connector_type}` of the connector every event shares, else empty;
 * - `{event_type}` the event type (`item.acquired`), `digest` for a mixed digest;
 * - `{timestamp}` the newest event's time, ISO 8601 UTC;
 * - `{statistics}` the counts of the message in one line ("3 added, 5 updated, 0 removed");
 * - `{url}` the link into Comradarr (Settings → Notifications public URL), empty when unknown.
 */
import { countOf } from '../../../components/connectors/format';
import type { EventSubject, EventType } from '$lib/types/events';
import type { ChannelTemplates, NotificationMessage, Severity } from '$lib/types/notifications';
import { maxSeverity, severityOf } from './severity';

/** One event as the renderer needs it (a row of `events`). */
export interface RenderEvent {
	id: number;
	type: EventType;
	connectorId: number | null;
	subject: EventSubject & Record<string, unknown>;
	payload: Record<string, unknown>;
	createdAt: Date;
}

/** Names of what events refer to by id; a missing entry renders as "series 12", "movie 4". */
export interface RenderLookup {
	connectors: ReadonlyMap<number, { name: string; type: string }>;
	series: ReadonlyMap<number, { title: string; year: number | null }>;
	episodes: ReadonlyMap<
		number,
		{ seriesId: number; seasonNumber: number; episodeNumber: number | null; title: string | null }
	>;
	movies: ReadonlyMap<number, { title: string; year: number | null }>;
}

export interface RenderOptions {
	templates?: ChannelTemplates | null;
	/** Settings → Notifications `publicUrl` ("https://comradarr.example.org"); '' = no links. */
	publicUrl?: string;
	lookup?: Partial<RenderLookup>;
}

/** Body lines listed before "…and N more". */
export const MAX_BODY_LINES = 15;

/** The placeholders templates may use, in the order the Settings page lists them. */
export const TEMPLATE_PLACEHOLDERS = [
	'content_title',
	'content_year',
	'connector_name',
	'connector_type',
	'event_type',
	'timestamp',
	'statistics',
	'url'
] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

const EMPTY_LOOKUP: RenderLookup = {
	connectors: new Map(),
	series: new Map(),
	episodes: new Map(),
	movies: new Map()
};

/** What one event says, before templates. */
interface Described {
	title: string;
	/** The event's body lines. */
	lines: string[];
	/** The one line of the event in a digest. */
	line: string;
	contentTitle: string | null;
	contentYear: number | null;
	statistics: string;
	fields: { name: string; value: string }[];
	path: string | null;
}

/**
 * The message reporting `events` (one or more, oldest first). Its `eventType` is the events'
 * common type, or `digest` when they differ; its severity the most serious of theirs.
 * @throws Error for an empty list
 */
export function renderMessage(
	events: readonly RenderEvent[],
	options: RenderOptions = {}
): NotificationMessage {
	if (events.length === 0) throw new Error('renderMessage needs at least one event');
	const lookup: RenderLookup = { ...EMPTY_LOOKUP, ...options.lookup };
	const types = [...new Set(events.map((e) => e.type))];
	const eventType: NotificationMessage['eventType'] = types.length === 1 ? types[0]! : 'digest';
	const severity = events.map((e) => severityOf(e)).reduce<Severity>(maxSeverity, 'info');
	const newest = events.reduce((a, b) => (b.createdAt > a.createdAt ? b : a));
	const described = events.map((e) => describe(e, lookup));
	const base = (options.publicUrl ?? '').trim().replace(/\/+$/, '');

	let built: { title: string; body: string; fields: { name: string; value: string }[] };
	let contentTitle: string;
	let contentYear = '';
	let statistics: string;
	let path: string | null;
	if (events.length === 1) {
		const one = described[0]!;
		built = { title: one.title, body: one.lines.join('\n'), fields: one.fields };
		contentTitle = one.contentTitle ?? one.title;
		contentYear = one.contentYear === null ? '' : String(one.contentYear);
		statistics = one.statistics;
		path = one.path;
	} else if (types.length === 1) {
		const group = summarise(events, lookup);
		built = {
			title: group.title,
			body: capped(described.map((d) => d.line)).join('\n'),
			fields: group.fields
		};
		contentTitle = group.title;
		statistics = group.statistics;
		path = group.path;
	} else {
		const groups = types.map((type) => {
			const list = events.filter((e) => e.type === type);
			const desc = list.map((e) => described[events.indexOf(e)]!);
			return { type, list, desc, summary: summarise(list, lookup) };
		});
		const title =
			groups.length <= 3
				? groups.map((g) => g.summary.title).join('; ')
				: `${countOf(events.length, 'event')} of ${groups.length} kinds`;
		const lines: string[] = [];
		for (const g of groups) {
			if (lines.length > 0) lines.push('');
			lines.push(`${g.summary.title}:`);
			lines.push(...capped(g.desc.map((d) => `• ${d.line}`)));
		}
		built = {
			title,
			body: lines.join('\n'),
			fields: groups.map((g) => ({ name: kindLabel(g.type), value: String(g.list.length) }))
		};
		contentTitle = title;
		statistics = groups.map((g) => `${g.list.length} ${kindLabel(g.type)}`).join(', ');
		path = null;
	}

	const url = base ? `${base}${path ?? '/'}` : null;
	const shared = sharedConnector(events, lookup);
	const values: Record<TemplatePlaceholder, string> = {
		content_title: contentTitle,
		content_year: contentYear,
		connector_name: shared?.name ?? '',
		connector_type: shared?.type ?? '',
		event_type: eventType,
		timestamp: newest.createdAt.toISOString(),
		statistics,
		url: url ?? ''
	};
	const templates = options.templates ?? {};
	return {
		title: nonEmpty(templates.title) ? fillTemplate(templates.title, values) : built.title,
		body: nonEmpty(templates.body) ? fillTemplate(templates.body, values) : built.body,
		severity,
		eventType,
		url,
		fields: built.fields,
		timestamp: newest.createdAt.toISOString(),
		events: events.map((e) => ({
			id: e.id,
			type: e.type,
			connectorId: e.connectorId,
			subject: { ...e.subject },
			payload: { ...e.payload },
			createdAt: e.createdAt.toISOString()
		}))
	};
}

/**
 * Replaces the known `{placeholders}` of `template` with `values`; an unknown one (`{foo}`) and
 * unbalanced braces are left as typed.
 */
export function fillTemplate(
	template: string,
	values: Readonly<Record<TemplatePlaceholder, string>>
): string {
	return template.replace(/\{([a-z_]+)\}/g, (match, name: string) =>
		Object.hasOwn(values, name) ? values[name as TemplatePlaceholder] : match
	);
}

/** The message of "Send test notification" (event type `test`, severity info). */
export function testMessage(
	channelName: string,
	options: { publicUrl?: string; now?: Date } = {}
): NotificationMessage {
	const base = (options.publicUrl ?? '').trim().replace(/\/+$/, '');
	return {
		title: 'Test notification from Comradarr',
		body: `If you can read this, the channel “${channelName}” works.`,
		severity: 'info',
		eventType: 'test',
		url: base ? `${base}/settings/notifications` : null,
		fields: [],
		timestamp: (options.now ?? new Date()).toISOString(),
		events: []
	};
}

// ── Preview ──────────────────────────────────────────────────────────────────────────────────

const SAMPLE_LOOKUP: RenderLookup = {
	connectors: new Map([
		[1, { name: 'Sonarr', type: 'sonarr' }],
		[2, { name: 'Radarr', type: 'radarr' }]
	]),
	series: new Map([
		[10, { title: 'Breaking Bad', year: 2008 }],
		[11, { title: 'The Expanse', year: 2015 }]
	]),
	episodes: new Map([
		[100, { seriesId: 10, seasonNumber: 5, episodeNumber: 14, title: 'Ozymandias' }],
		[101, { seriesId: 10, seasonNumber: 5, episodeNumber: 15, title: 'Granite State' }],
		[110, { seriesId: 11, seasonNumber: 2, episodeNumber: 5, title: 'Home' }]
	]),
	movies: new Map([[20, { title: 'Dune', year: 2021 }]])
};

/** A realistic event of each type for the live preview (ids refer to SAMPLE_LOOKUP). */
function sampleEvent(type: EventType, at: Date, id = 1): RenderEvent {
	const base = { id, type, createdAt: at, subject: {}, payload: {} };
	switch (type) {
		case 'item.acquired':
		case 'item.upgraded':
			return {
				...base,
				connectorId: 1,
				subject: { seriesId: 10, episodeIds: [100] },
				payload: {
					kind: 'episode',
					qualities: ['WEBDL-1080p'],
					...(type === 'item.upgraded' ? { from: 'HDTV-720p' } : {})
				}
			};
		case 'item.removed':
			return { ...base, connectorId: 2, subject: { movieId: 20 }, payload: { kind: 'movie' } };
		case 'sync.completed':
		case 'sync.failed':
			return {
				...base,
				connectorId: 1,
				payload: {
					mode: 'incremental',
					added: 3,
					updated: 12,
					removed: 0,
					durationMs: 4200,
					error: type === 'sync.failed' ? 'Sonarr answered 503 Service Unavailable' : null
				}
			};
		case 'sweep.completed':
			return {
				...base,
				connectorId: 1,
				payload: { gaps: 42, upgrades: 17, queuedBatches: 6, queuedSearches: 38 }
			};
		case 'search.sent':
		case 'search.completed':
			return {
				...base,
				connectorId: 1,
				payload: {
					label: 'Breaking Bad season 5',
					searchCount: 16,
					outcome: 'completed',
					commandStatus: 'completed'
				}
			};
		case 'search.exhausted':
			return {
				...base,
				connectorId: 2,
				payload: { label: 'Dune', items: 1, attempts: 5 }
			};
		case 'connector.health_changed':
			return {
				...base,
				connectorId: 2,
				payload: { from: 'healthy', to: 'offline', reason: 'connect ECONNREFUSED 10.0.0.5:7878' }
			};
		case 'app.started':
			return { ...base, connectorId: null, payload: { version: '1.0.0' } };
		case 'maintenance.completed':
			return {
				...base,
				connectorId: null,
				payload: {
					job: 'db.prune',
					message: 'Removed 120 job runs and 3,400 events.',
					durationMs: 1800
				}
			};
		case 'errors.threshold_exceeded':
			return {
				...base,
				connectorId: 1,
				payload: {
					kind: 'sync.failed',
					count: 5,
					threshold: 5,
					windowMinutes: 60,
					lastError: 'Sonarr answered 503 Service Unavailable'
				}
			};
	}
}

/**
 * The message a channel with `templates` would send for a typical `eventType` event (`digest`: a
 * mixed digest of three episodes, a sweep and a failed sync), for the live preview of the form.
 * @param options.publicUrl fills `{url}`; `now` the sample's time (default now)
 */
export function previewMessage(
	templates: ChannelTemplates | null | undefined,
	eventType: EventType | 'digest',
	options: { publicUrl?: string; now?: Date } = {}
): NotificationMessage {
	const at = options.now ?? new Date();
	const events: RenderEvent[] =
		eventType === 'digest'
			? [
					sampleEvent('item.acquired', at, 1),
					{
						...sampleEvent('item.acquired', at, 2),
						subject: { seriesId: 10, episodeIds: [101] }
					},
					{
						...sampleEvent('item.acquired', at, 3),
						subject: { seriesId: 11, episodeIds: [110] }
					},
					sampleEvent('sweep.completed', at, 4),
					sampleEvent('sync.failed', at, 5)
				]
			: [sampleEvent(eventType, at)];
	return renderMessage(events, {
		templates: templates ?? null,
		lookup: SAMPLE_LOOKUP,
		...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {})
	});
}

// ── One event ────────────────────────────────────────────────────────────────────────────────

function describe(event: RenderEvent, lookup: RenderLookup): Described {
	const p = event.payload;
	const connector = connectorName(event.connectorId, lookup);
	const fields: { name: string; value: string }[] = [];
	if (event.connectorId !== null) fields.push({ name: 'Connector', value: connector });
	const plain = (
		title: string,
		lines: string[],
		statistics = '',
		path: string | null = connectorPath(event)
	): Described => ({
		title,
		lines,
		line: title,
		contentTitle: null,
		contentYear: null,
		statistics,
		fields,
		path
	});

	switch (event.type) {
		case 'item.acquired':
		case 'item.upgraded':
		case 'item.removed': {
			const item = itemOf(event, lookup);
			const verb = ITEM_VERB[event.type];
			const quality = qualityText(event);
			if (quality) fields.push({ name: 'Quality', value: quality });
			const lines = [item.detail, quality ? `Quality: ${quality}` : '', `From ${connector}`];
			return {
				title: `${verb}: ${item.label}`,
				lines: lines.filter((l) => l !== ''),
				line: `${item.label}${quality ? ` (${quality})` : ''}`,
				contentTitle: item.label,
				contentYear: item.year,
				statistics: item.count,
				fields,
				path: item.path
			};
		}
		case 'sync.completed': {
			const stats = `${num(p.added)} added, ${num(p.updated)} updated, ${num(p.removed)} removed`;
			const mode = p.mode === 'full' ? 'Full sync' : 'Sync';
			return plain(
				`${mode} of ${connector} completed`,
				[`${stats}${typeof p.durationMs === 'number' ? ` in ${seconds(p.durationMs)}` : ''}.`],
				stats
			);
		}
		case 'sync.failed': {
			const error = str(p.error) || 'no reason given';
			fields.push({ name: 'Error', value: error });
			return plain(`Sync of ${connector} failed`, [error], error);
		}
		case 'sweep.completed': {
			const queued = `queued ${countOf(num(p.queuedBatches), 'command')} (${countOf(num(p.queuedSearches), 'search', 'searches')})`;
			const found = `${num(p.gaps)} missing, ${countOf(num(p.upgrades), 'upgrade candidate')}`;
			fields.push({ name: 'Missing', value: String(num(p.gaps)) });
			fields.push({ name: 'Upgrades', value: String(num(p.upgrades)) });
			return plain(`Sweep of ${connector}: ${queued}`, [`Found ${found}.`], `${found}; ${queued}`);
		}
		case 'search.sent':
			return plain(
				`Search sent: ${str(p.label) || 'search'}`,
				[`${countOf(num(p.searchCount, 1), 'item')} on ${connector}.`],
				countOf(num(p.searchCount, 1), 'item'),
				'/queue'
			);
		case 'search.completed': {
			const ok = p.outcome === 'completed' || p.outcome === undefined;
			const label = str(p.label) || 'search';
			const detail = [str(p.message), str(p.failure)].filter((s) => s !== '').join(' — ');
			return plain(
				`${ok ? 'Search completed' : 'Search failed'}: ${label}`,
				[detail || `On ${connector}.`],
				countOf(num(p.searchCount, 1), 'item'),
				'/history'
			);
		}
		case 'search.exhausted': {
			const items = countOf(num(p.items, 1), 'item');
			return plain(
				`Gave up searching for ${items} on ${connector}`,
				[
					`${str(p.label) || 'These items'}: not found after ${countOf(num(p.attempts), 'search', 'searches')}.`
				],
				items,
				'/history'
			);
		}
		case 'connector.health_changed': {
			const to = str(p.to) || 'unknown';
			fields.push({ name: 'Health', value: `${str(p.from) || 'unknown'} → ${to}` });
			return plain(
				`${connector} is ${to}`,
				[`Was ${str(p.from) || 'unknown'}.`, str(p.reason)].filter((l) => l !== ''),
				`${str(p.from) || 'unknown'} → ${to}`
			);
		}
		case 'app.started':
			return plain(
				'Comradarr started',
				[str(p.version) ? `Version ${str(p.version)}.` : 'The application started.'],
				'',
				'/dashboard'
			);
		case 'maintenance.completed': {
			const job = MAINTENANCE_LABEL[str(p.job)] ?? (str(p.job) || 'Maintenance');
			return plain(
				`${job} completed`,
				[str(p.message)].filter((l) => l !== ''),
				str(p.message),
				'/settings/database'
			);
		}
		case 'errors.threshold_exceeded': {
			const what = THRESHOLD_KIND[str(p.kind)] ?? 'failures';
			const on = event.connectorId === null ? '' : ` on ${connector}`;
			const title = `${num(p.count)} ${what} within ${num(p.windowMinutes)} min${on}`;
			const last = str(p.lastError);
			return plain(title, last ? [`Last error: ${last}`] : [], title);
		}
	}
}

const ITEM_VERB = {
	'item.acquired': 'Acquired',
	'item.upgraded': 'Upgraded',
	'item.removed': 'Removed'
} as const;

const MAINTENANCE_LABEL: Record<string, string> = {
	'db.prune': 'Prune',
	'db.vacuum': 'Vacuum'
};

const THRESHOLD_KIND: Record<string, string> = {
	'sync.failed': 'failed syncs',
	'search.failed': 'failed searches'
};

/** Plural phrase of a kind in a digest ("3 syncs failed"). */
const KIND_LABEL: Record<EventType, string> = {
	'sync.completed': 'syncs completed',
	'sync.failed': 'syncs failed',
	'item.acquired': 'acquired',
	'item.upgraded': 'upgraded',
	'item.removed': 'removed',
	'sweep.completed': 'sweeps',
	'search.sent': 'searches sent',
	'search.completed': 'searches finished',
	'search.exhausted': 'searches given up',
	'connector.health_changed': 'health changes',
	'app.started': 'starts',
	'maintenance.completed': 'maintenance runs',
	'errors.threshold_exceeded': 'error alerts'
};

function kindLabel(type: EventType): string {
	return KIND_LABEL[type];
}

interface Item {
	label: string;
	detail: string;
	year: number | null;
	count: string;
	path: string | null;
	episodes: number;
	seriesId: number | null;
	/** The series' (or movie's) title alone. */
	name: string;
	movie: boolean;
}

function itemOf(event: RenderEvent, lookup: RenderLookup): Item {
	const s = event.subject;
	const p = event.payload;
	const episodeIds = s.episodeIds ?? [];
	const episodeCount = episodeIds.length || (s.arrEpisodeIds ?? []).length;
	if (p.kind === 'movie' || s.movieId !== undefined) {
		const movie = s.movieId === undefined ? undefined : lookup.movies.get(s.movieId);
		const title = movie?.title ?? (str(p.title) || `movie ${s.movieId ?? '?'}`);
		const year = movie?.year ?? null;
		return {
			label: year ? `${title} (${year})` : title,
			detail: '',
			year,
			count: '1 movie',
			path: s.movieId === undefined ? null : `/movies/${s.movieId}`,
			episodes: 0,
			seriesId: null,
			name: title,
			movie: true
		};
	}
	const seriesId = s.seriesId ?? null;
	const series = seriesId === null ? undefined : lookup.series.get(seriesId);
	const title = series?.title ?? (str(p.title) || `series ${seriesId ?? '?'}`);
	const path = seriesId === null ? null : `/series/${seriesId}`;
	if (p.kind === 'series') {
		return {
			label: title,
			detail: `The whole series (${countOf(num(p.episodes), 'episode')}).`,
			year: series?.year ?? null,
			count: '1 series',
			path,
			episodes: num(p.episodes),
			seriesId,
			name: title,
			movie: false
		};
	}
	if (episodeCount === 1 && episodeIds.length === 1) {
		const ep = lookup.episodes.get(episodeIds[0]!);
		const code = ep ? episodeCode(ep.seasonNumber, ep.episodeNumber) : '';
		return {
			label: code ? `${title} ${code}` : title,
			detail: ep?.title ? `“${ep.title}”` : '',
			year: series?.year ?? null,
			count: '1 episode',
			path,
			episodes: 1,
			seriesId,
			name: title,
			movie: false
		};
	}
	const codes = episodeIds
		.map((id) => lookup.episodes.get(id))
		.filter((e) => e !== undefined)
		.map((e) => episodeCode(e.seasonNumber, e.episodeNumber))
		.filter((c) => c !== '');
	return {
		label: `${countOf(episodeCount, 'episode')} of ${title}`,
		detail: codes.length > 0 ? capped(codes, 10).join(', ') : '',
		year: series?.year ?? null,
		count: countOf(episodeCount, 'episode'),
		path,
		episodes: episodeCount,
		seriesId,
		name: title,
		movie: false
	};
}

/** What a group of same-type events says together. */
function summarise(
	events: readonly RenderEvent[],
	lookup: RenderLookup
): {
	title: string;
	statistics: string;
	fields: { name: string; value: string }[];
	path: string | null;
} {
	const type = events[0]!.type;
	if (type === 'item.acquired' || type === 'item.upgraded' || type === 'item.removed') {
		const items = events.map((e) => itemOf(e, lookup));
		const episodes = items.reduce((n, i) => n + (i.movie ? 0 : i.episodes), 0);
		const series = new Set(items.filter((i) => !i.movie).map((i) => i.seriesId ?? -1)).size;
		const movies = items.filter((i) => i.movie).length;
		const parts: string[] = [];
		if (series > 0) {
			parts.push(
				series === 1
					? `${countOf(episodes, 'episode')} of ${items.find((i) => !i.movie)!.name}`
					: `${countOf(episodes, 'episode')} across ${countOf(series, 'series', 'series')}`
			);
		}
		if (movies > 0) parts.push(countOf(movies, 'movie'));
		const stats = parts.join(' and ');
		const fields = [
			...(series > 0 ? [{ name: 'Episodes', value: String(episodes) }] : []),
			...(series > 0 ? [{ name: 'Series', value: String(series) }] : []),
			...(movies > 0 ? [{ name: 'Movies', value: String(movies) }] : [])
		];
		return { title: `${ITEM_VERB[type]} ${stats}`, statistics: stats, fields, path: '/history' };
	}
	const title =
		DIGEST_TITLE[type]?.(events.length, events, lookup) ?? `${events.length} ${kindLabel(type)}`;
	return {
		title,
		statistics: title,
		fields: [{ name: 'Events', value: String(events.length) }],
		path: null
	};
}

/** Digest titles that read better than "N <kind>". */
const DIGEST_TITLE: Partial<
	Record<EventType, (n: number, events: readonly RenderEvent[], lookup: RenderLookup) => string>
> = {
	'sync.completed': (n) => `${countOf(n, 'sync')} completed`,
	'sync.failed': (n, events, lookup) =>
		`${countOf(n, 'sync')} failed${connectorsText(events, lookup)}`,
	'sweep.completed': (n, events) =>
		`${countOf(n, 'sweep')} queued ${countOf(
			events.reduce((s, e) => s + num(e.payload.queuedSearches), 0),
			'search',
			'searches'
		)}`,
	'search.exhausted': (n, events) =>
		`Gave up searching for ${countOf(
			events.reduce((s, e) => s + num(e.payload.items, 1), 0),
			'item'
		)}`,
	'connector.health_changed': (n) => countOf(n, 'health change')
};

function connectorsText(events: readonly RenderEvent[], lookup: RenderLookup): string {
	const ids = [...new Set(events.map((e) => e.connectorId).filter((id) => id !== null))];
	if (ids.length === 0) return '';
	return ` on ${ids.map((id) => connectorName(id, lookup)).join(', ')}`;
}

// ── Helpers ──────────────────────────────────────────────────────────────────────────────────

function sharedConnector(
	events: readonly RenderEvent[],
	lookup: RenderLookup
): { name: string; type: string } | null {
	const ids = new Set(events.map((e) => e.connectorId));
	if (ids.size !== 1) return null;
	const id = events[0]!.connectorId;
	if (id === null) return null;
	return lookup.connectors.get(id) ?? { name: `connector ${id}`, type: '' };
}

function connectorName(id: number | null, lookup: RenderLookup): string {
	if (id === null) return 'Comradarr';
	return lookup.connectors.get(id)?.name ?? `connector ${id}`;
}

function connectorPath(event: RenderEvent): string | null {
	return event.connectorId === null ? null : `/connectors/${event.connectorId}`;
}

function qualityText(event: RenderEvent): string {
	const p = event.payload;
	const qualities = Array.isArray(p.qualities)
		? [...new Set(p.qualities.filter((q): q is string => typeof q === 'string'))]
		: typeof p.quality === 'string'
			? [p.quality]
			: [];
	const to = qualities.join(', ');
	return typeof p.from === 'string' && to ? `${p.from} → ${to}` : to;
}

function episodeCode(season: number, episode: number | null): string {
	if (episode === null) return '';
	const pad = (n: number) => String(n).padStart(2, '0');
	return `S${pad(season)}E${pad(episode)}`;
}

function capped(lines: readonly string[], max = MAX_BODY_LINES): string[] {
	if (lines.length <= max) return [...lines];
	return [...lines.slice(0, max), `…and ${lines.length - max} more`];
}

function num(value: unknown, fallback = 0): number {
	return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function str(value: unknown): string {
	return typeof value === 'string' ? value : '';
}

function seconds(ms: number): string {
	return `${(ms / 1000).toFixed(1)} s`;
}

function nonEmpty(value: string | undefined): value is string {
	return typeof value === 'string' && value.trim() !== '';
}
