import { describe, expect, it } from 'vitest';
import {
	fillTemplate,
	previewMessage,
	renderMessage,
	testMessage,
	type RenderEvent
} from './render';
import { severityOf } from './severity';
import { EVENT_TYPES } from '$lib/types/events';

const at = new Date('2026-12-02T10:00:00.000Z');

const lookup = {
	connectors: new Map([
		[1, { name: 'Sonarr 4K', type: 'sonarr' }],
		[2, { name: 'Radarr', type: 'radarr' }]
	]),
	series: new Map([
		[10, { title: 'Breaking Bad', year: 2008 }],
		[11, { title: 'The Expanse', year: 2015 }],
		[12, { title: 'Severance', year: 2022 }]
	]),
	episodes: new Map([
		[100, { seriesId: 10, seasonNumber: 5, episodeNumber: 14, title: 'Ozymandias' }],
		[101, { seriesId: 10, seasonNumber: 5, episodeNumber: 15, title: 'Granite State' }]
	]),
	movies: new Map([[20, { title: 'Dune', year: 2021 }]])
};

let nextId = 1;
function ev(type: RenderEvent['type'], over: Partial<RenderEvent> = {}): RenderEvent {
	return {
		id: nextId++,
		type,
		connectorId: 1,
		subject: {},
		payload: {},
		createdAt: at,
		...over
	};
}

function episodes(seriesId: number, ids: number[]): RenderEvent {
	return ev('item.acquired', {
		subject: { seriesId, episodeIds: ids },
		payload: { kind: 'episode', qualities: ['WEBDL-1080p'] }
	});
}

describe('renderMessage', () => {
	it('names the series, the episode code and the episode title of one acquired episode', () => {
		const m = renderMessage([episodes(10, [100])], { lookup });
		expect(m.title).toBe('Acquired: Breaking Bad S05E14');
		expect(m.body).toContain('“Ozymandias”');
		expect(m.body).toContain('WEBDL-1080p');
		expect(m.eventType).toBe('item.acquired');
		expect(m.severity).toBe('info');
		expect(m.url).toBeNull();
		expect(m.events).toHaveLength(1);
		expect(m.timestamp).toBe(at.toISOString());
	});

	it('merges acquisitions into "Acquired 15 episodes across 3 series"', () => {
		const list = [
			episodes(10, [1, 2, 3, 4, 5]),
			episodes(11, [6, 7, 8, 9, 10, 11]),
			episodes(12, [12, 13, 14, 15])
		];
		const m = renderMessage(list, { lookup });
		expect(m.title).toBe('Acquired 15 episodes across 3 series');
		expect(m.body.split('\n')).toEqual([
			'5 episodes of Breaking Bad (WEBDL-1080p)',
			'6 episodes of The Expanse (WEBDL-1080p)',
			'4 episodes of Severance (WEBDL-1080p)'
		]);
		expect(m.fields).toEqual([
			{ name: 'Episodes', value: '15' },
			{ name: 'Series', value: '3' }
		]);
	});

	it('counts movies beside episodes and names one series by its title', () => {
		const movie = ev('item.acquired', {
			connectorId: 2,
			subject: { movieId: 20 },
			payload: { kind: 'movie', quality: 'Bluray-2160p' }
		});
		expect(renderMessage([episodes(10, [100]), episodes(10, [101]), movie], { lookup }).title).toBe(
			'Acquired 2 episodes of Breaking Bad and 1 movie'
		);
	});

	it('lists the kinds of a mixed digest, the most serious severity winning', () => {
		const m = renderMessage(
			[
				episodes(10, [100]),
				ev('sweep.completed', { payload: { gaps: 4, upgrades: 2, queuedSearches: 6 } }),
				ev('sync.failed', { payload: { error: 'Sonarr answered 503' } })
			],
			{ lookup }
		);
		expect(m.eventType).toBe('digest');
		expect(m.severity).toBe('error');
		expect(m.title).toBe(
			'Acquired 1 episode of Breaking Bad; 1 sweep queued 6 searches; 1 sync failed on Sonarr 4K'
		);
		expect(m.body).toContain('• Sync of Sonarr 4K failed');
		expect(m.body).toContain('• Breaking Bad S05E14');
	});

	it('caps a long digest body with "…and N more"', () => {
		const list = Array.from({ length: 20 }, (_, i) => episodes(10, [1000 + i]));
		const lines = renderMessage(list, { lookup }).body.split('\n');
		expect(lines).toHaveLength(16);
		expect(lines.at(-1)).toBe('…and 5 more');
	});

	it('says what a sweep, a failed sync and a health change found', () => {
		expect(
			renderMessage(
				[
					ev('sweep.completed', {
						payload: { gaps: 42, upgrades: 17, queuedBatches: 6, queuedSearches: 38 }
					})
				],
				{ lookup }
			)
		).toMatchObject({
			title: 'Sweep of Sonarr 4K: queued 6 commands (38 searches)',
			body: 'Found 42 missing, 17 upgrade candidates.'
		});
		expect(
			renderMessage([ev('sync.failed', { payload: { error: 'connect ECONNREFUSED' } })], {
				lookup
			})
		).toMatchObject({ title: 'Sync of Sonarr 4K failed', body: 'connect ECONNREFUSED' });
		const health = renderMessage(
			[
				ev('connector.health_changed', { payload: { from: 'healthy', to: 'offline', reason: 'x' } })
			],
			{ lookup }
		);
		expect(health).toMatchObject({ title: 'Sonarr 4K is offline', severity: 'warning' });
	});

	it('renders every event type without throwing, even with an empty payload', () => {
		for (const type of EVENT_TYPES) {
			const m = renderMessage([ev(type, { connectorId: null })]);
			expect(m.title.length, type).toBeGreaterThan(0);
		}
	});

	it('fills the template placeholders and links to the public URL', () => {
		const m = renderMessage([episodes(10, [100])], {
			lookup,
			publicUrl: 'https://comradarr.example.org/',
			templates: {
				title: '[{connector_type}] {content_title} ({content_year})',
				body: '{event_type} on {connector_name} at {timestamp}: {statistics} {url} {unknown} {'
			}
		});
		expect(m.title).toBe('[sonarr] Breaking Bad S05E14 (2008)');
		expect(m.body).toBe(
			`item.acquired on Sonarr 4K at ${at.toISOString()}: 1 episode https://comradarr.example.org/series/10 {unknown} {`
		);
		expect(m.url).toBe('https://comradarr.example.org/series/10');
	});

	it('keeps the built-in text for an empty template field', () => {
		const m = renderMessage([episodes(10, [100])], {
			lookup,
			templates: { title: '  ', body: 'B' }
		});
		expect(m.title).toBe('Acquired: Breaking Bad S05E14');
		expect(m.body).toBe('B');
	});

	it('rejects an empty event list', () => {
		expect(() => renderMessage([])).toThrow();
	});
});

describe('fillTemplate', () => {
	it('leaves unknown placeholders as typed', () => {
		const values = {
			content_title: 'T',
			content_year: '',
			connector_name: 'C',
			connector_type: 'sonarr',
			event_type: 'e',
			timestamp: 'ts',
			statistics: 's',
			url: ''
		};
		expect(fillTemplate('{content_title}/{Content_Title}/{constructor}/{url}', values)).toBe(
			'T/{Content_Title}/{constructor}/'
		);
	});
});

describe('previewMessage', () => {
	it('gives a realistic sample of every type and of a digest', () => {
		const one = previewMessage({ title: '{content_title} ({content_year})' }, 'item.acquired', {
			now: at
		});
		expect(one.title).toBe('Breaking Bad S05E14 (2008)');
		expect(one.body).toContain('Ozymandias');
		const digest = previewMessage(null, 'digest', { now: at, publicUrl: 'http://c.local' });
		expect(digest.eventType).toBe('digest');
		expect(digest.title).toContain('Acquired 3 episodes across 2 series');
		expect(digest.url).toBe('http://c.local/');
		for (const type of EVENT_TYPES) expect(previewMessage(null, type).eventType).toBe(type);
	});
});

describe('testMessage', () => {
	it('is an info message of type test naming the channel', () => {
		const m = testMessage('Phone', { now: at });
		expect(m).toMatchObject({ eventType: 'test', severity: 'info', events: [] });
		expect(m.body).toContain('Phone');
	});
});

describe('severityOf', () => {
	it('maps failures to error, give-ups and unhealthy changes to warning, the rest to info', () => {
		expect(severityOf({ type: 'sync.failed' })).toBe('error');
		expect(severityOf({ type: 'errors.threshold_exceeded' })).toBe('error');
		expect(severityOf({ type: 'search.exhausted' })).toBe('warning');
		expect(severityOf({ type: 'connector.health_changed', payload: { to: 'degraded' } })).toBe(
			'warning'
		);
		expect(severityOf({ type: 'connector.health_changed', payload: { to: 'healthy' } })).toBe(
			'info'
		);
		expect(severityOf({ type: 'item.acquired' })).toBe('info');
	});
});
