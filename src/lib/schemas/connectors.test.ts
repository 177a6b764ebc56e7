import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
	CONNECTION_FIELDS,
	CONNECTOR_TIMEOUT_SECONDS,
	ConnectorUpdateSchema,
	addConnectorSchema,
	editConnectorSchema
} from './connectors';

/** The edit form's values as the browser holds them (an empty number input binds to null). */
const browserEdit = {
	type: 'sonarr',
	name: 'Sonarr',
	url: 'http://127.0.0.1:8989',
	apiKey: '',
	enabled: true,
	timeoutSeconds: 30,
	skipTlsVerify: false,
	seasonPackEnabled: true,
	seasonPackThresholdPct: 50,
	maxEpisodesBeforePack: null,
	seasonPackCooldownHours: 168,
	searchCooldownHours: null,
	throttleProfileId: null,
	seasonPackMinEpisodes: 3,
	downloadQueueLimit: null,
	includeTagIds: [],
	excludeTagIds: [],
	customFormatUpgrades: false
};

describe('the connector form schemas in the browser', () => {
	it('take an empty optional number field (null in the browser) as off / the default', () => {
		const edit = v.safeParse(editConnectorSchema, browserEdit);
		expect(edit.success).toBe(true);
		expect(edit.output).toMatchObject({
			maxEpisodesBeforePack: null,
			searchCooldownHours: null,
			throttleProfileId: null,
			downloadQueueLimit: null
		});
		const add = v.parse(addConnectorSchema, {
			type: 'radarr',
			name: 'Radarr',
			url: 'http://127.0.0.1:7878',
			apiKey: 'k'.repeat(32),
			timeoutSeconds: null,
			skipTlsVerify: false
		});
		expect(add.timeoutSeconds).toBe(CONNECTOR_TIMEOUT_SECONDS.default);
	});

	it('refuse an empty required timeout and one outside the service’s range', () => {
		for (const timeoutSeconds of [null, 0, CONNECTOR_TIMEOUT_SECONDS.max + 1]) {
			const result = v.safeParse(editConnectorSchema, { ...browserEdit, timeoutSeconds });
			expect(result.success, String(timeoutSeconds)).toBe(false);
		}
	});

	it('keep the form’s timeout range equal to the service’s (seconds vs ms)', () => {
		const ms = (seconds: number) =>
			v.safeParse(ConnectorUpdateSchema, { timeoutMs: Math.round(seconds * 1000) });
		expect(ms(CONNECTOR_TIMEOUT_SECONDS.min).success).toBe(true);
		expect(ms(CONNECTOR_TIMEOUT_SECONDS.max).success).toBe(true);
		expect(ms(CONNECTOR_TIMEOUT_SECONDS.min - 0.001).success).toBe(false);
		expect(ms(CONNECTOR_TIMEOUT_SECONDS.max + 0.001).success).toBe(false);
	});

	it('name the connection fields that exist in both forms', () => {
		for (const field of CONNECTION_FIELDS) {
			expect(Object.keys(addConnectorSchema.entries)).toContain(field);
			expect(Object.keys(editConnectorSchema.entries)).toContain(field);
		}
	});
});
