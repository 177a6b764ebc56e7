import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { createSecretBox } from '$lib/server/crypto/secrets';
import { formError } from '$lib/server/forms';
import {
	ConnectorFieldError,
	ConnectorUpdateSchema,
	testConnectorEdit
} from '$lib/server/services/connectors/connector-service';
import {
	CONNECTOR_FORM_ERRORS,
	addConnectorForm,
	connectedMessage,
	connectionFieldsValid,
	editConnectorForm,
	updateInput
} from './connector-form.server';

/**
 * A POST of the edit form as the browser sends it (every field a string; a ticked tag of a filter
 * list is one more value under the list's name).
 */
function editPost(
	overrides: Record<string, string | null> = {},
	lists: Record<string, string[]> = {}
): Request {
	const fields: Record<string, string | null> = {
		type: 'sonarr',
		name: 'Sonarr',
		url: 'http://127.0.0.1:8989',
		apiKey: '',
		enabled: 'on',
		timeoutSeconds: '30',
		skipTlsVerify: null,
		seasonPackEnabled: 'on',
		seasonPackThresholdPct: '50',
		maxEpisodesBeforePack: '',
		seasonPackCooldownHours: '168',
		searchCooldownHours: '',
		throttleProfileId: '',
		seasonPackMinEpisodes: '3',
		downloadQueueLimit: '20',
		customFormatUpgrades: null,
		...overrides
	};
	const body = new FormData();
	for (const [name, value] of Object.entries(fields)) {
		if (value !== null) body.set(name, value);
	}
	for (const [name, values] of Object.entries(lists)) {
		for (const value of values) body.append(name, value);
	}
	return new Request('http://localhost/connectors/1?/save', { method: 'POST', body });
}

describe('the connector edit form', () => {
	it('keeps the stored API key when the key field is left empty', async () => {
		const form = await editConnectorForm(editPost());
		expect(form.valid).toBe(true);
		expect(updateInput(form.data, '').apiKey).toBe('');
	});

	it('asks for seconds and saves milliseconds', async () => {
		const form = await editConnectorForm(editPost({ timeoutSeconds: '12.5' }));
		expect(form.valid).toBe(true);
		expect(updateInput(form.data, '').timeoutMs).toBe(12_500);
	});

	it('refuses a timeout outside 1–300 s on the timeout field', async () => {
		for (const seconds of ['0', '301', '']) {
			const form = await editConnectorForm(editPost({ timeoutSeconds: seconds }));
			expect(form.valid).toBe(false);
			expect(form.errors.timeoutSeconds?.[0]).toMatch(/1 to 300/);
		}
	});

	it('turns an empty "max episodes" and an empty cooldown into null (off, the profile’s)', async () => {
		const form = await editConnectorForm(editPost());
		const input = updateInput(form.data, '');
		expect(input.maxEpisodesBeforePack).toBeNull();
		expect(input.searchCooldownHours).toBeNull();
	});

	it('posts back the season-pack settings of a movie library from hidden fields unchanged', async () => {
		const form = await editConnectorForm(
			editPost({ type: 'radarr', seasonPackEnabled: 'false', maxEpisodesBeforePack: '12' })
		);
		expect(form.valid).toBe(true);
		expect(form.data.seasonPackEnabled).toBe(false);
		expect(form.data.maxEpisodesBeforePack).toBe(12);
	});

	it('puts control characters in the name or the key on those fields', async () => {
		const form = await editConnectorForm(editPost({ name: 'So\u0000narr', apiKey: 'k\u0000ey' }));
		expect(form.valid).toBe(false);
		expect(form.errors.name?.[0]).toMatch(/must not contain control characters/);
		expect(form.errors.apiKey?.[0]).toMatch(/must not contain control characters/);
	});

	it('refuses a URL the connector layer would refuse on the URL field, with its message', async () => {
		for (const [url, message] of [
			['nas:8989', /must start with http/],
			['not a url', /Not a valid URL/],
			['http://user:pw@nas:8989', /Leave credentials out/],
			['http://nas:8989/api/v3', /without \/api/]
		] as const) {
			const form = await editConnectorForm(editPost({ url }));
			expect(form.valid, url).toBe(false);
			expect(form.errors.url, url).toEqual([expect.stringMatching(message)]);
		}
	});

	it('takes the throttle profile, the tag filters, the queue limit and CF upgrades as posted', async () => {
		const form = await editConnectorForm(
			editPost(
				{ throttleProfileId: '4', downloadQueueLimit: '', customFormatUpgrades: 'on' },
				{ includeTagIds: ['3', '1'], excludeTagIds: ['2'] }
			)
		);
		expect(form.valid).toBe(true);
		expect(updateInput(form.data, '')).toMatchObject({
			throttleProfileId: 4,
			downloadQueueLimit: null,
			includeTagIds: [1, 3],
			excludeTagIds: [2],
			customFormatUpgrades: true,
			seasonPackMinEpisodes: 3
		});
		// "Default" in the select posts an empty value: the default profile.
		const reset = await editConnectorForm(editPost());
		expect(updateInput(reset.data, '')).toMatchObject({
			throttleProfileId: null,
			includeTagIds: [],
			excludeTagIds: [],
			customFormatUpgrades: false
		});
	});

	it('refuses a pack minimum or a queue limit out of range on their fields', async () => {
		const form = await editConnectorForm(
			editPost({ seasonPackMinEpisodes: '0', downloadQueueLimit: '10001' })
		);
		expect(form.valid).toBe(false);
		expect(form.errors.seasonPackMinEpisodes?.[0]).toMatch(/at least 1/);
		expect(form.errors.downloadQueueLimit?.[0]).toMatch(/at most 10000/);
	});

	it('accepts exactly what the service accepts', async () => {
		const form = await editConnectorForm(editPost({ searchCooldownHours: '48' }));
		const parsed = v.safeParse(ConnectorUpdateSchema, updateInput(form.data, 'new-key'));
		expect(parsed.success).toBe(true);
	});
});

describe('the add connector form', () => {
	it('uses the default timeout of 30 s when the field is left empty', async () => {
		const body = new FormData();
		for (const [name, value] of Object.entries({
			type: 'whisparr',
			name: 'Whisparr',
			url: 'http://127.0.0.1:6969',
			apiKey: 'k'.repeat(32),
			timeoutSeconds: ''
		})) {
			body.set(name, value);
		}
		const form = await addConnectorForm(
			new Request('http://localhost/connectors/new?/save', { method: 'POST', body })
		);
		expect(form.valid).toBe(true);
		expect(form.data.timeoutSeconds).toBe(30);
		expect(form.data.skipTlsVerify).toBe(false);
	});
});

describe('connector form errors (the shared formError mapper)', () => {
	it('puts a refused key on the API key field', async () => {
		const form = await editConnectorForm(editPost());
		const failure = formError(
			form,
			new ConnectorFieldError({ apiKey: 'Sonarr refused the API key' }),
			CONNECTOR_FORM_ERRORS
		);
		expect(failure.status).toBe(400);
		expect(form.valid).toBe(false);
		expect(form.errors.apiKey).toEqual(['Sonarr refused the API key']);
		expect(form.message).toBeUndefined();
	});

	it('puts the service’s timeout error (in ms) on the seconds field', async () => {
		const form = await editConnectorForm(editPost());
		const parsed = v.safeParse(ConnectorUpdateSchema, { timeoutMs: 5 });
		if (parsed.success) throw new Error('expected a validation error');
		formError(form, new v.ValiError(parsed.issues), CONNECTOR_FORM_ERRORS);
		expect(form.errors.timeoutSeconds?.[0]).toMatch(/Timeout/);
	});

	it('asks for the key again on its field when the stored key cannot be decrypted (409)', async () => {
		const form = await editConnectorForm(editPost());
		const stored = createSecretBox('a'.repeat(64)).encrypt('0123456789abcdef0123456789abcdef');
		const error = await testConnectorEdit(
			{ url: 'http://127.0.0.1:8989', apiKeyEncrypted: stored },
			createSecretBox('b'.repeat(64)),
			{ type: 'sonarr', url: 'http://127.0.0.1:8989', apiKey: '' }
		).then(
			() => null,
			(e: unknown) => e
		);
		const failure = formError(form, error, CONNECTOR_FORM_ERRORS);
		expect(failure.status).toBe(409);
		expect(form.errors.apiKey?.[0]).toMatch(/cannot be decrypted with the current SECRET_KEY/);
	});

	it('rethrows errors that are not about the form', async () => {
		const form = await editConnectorForm(editPost());
		expect(() => formError(form, new Error('database down'), CONNECTOR_FORM_ERRORS)).toThrow(
			'database down'
		);
	});
});

describe('the connection test', () => {
	it('does not need a valid name, only the fields a connection uses', async () => {
		const form = await editConnectorForm(editPost({ name: '' }));
		expect(form.valid).toBe(false);
		expect(connectionFieldsValid(form)).toBe(true);
		const broken = await editConnectorForm(editPost({ name: '', url: 'nas:8989' }));
		expect(connectionFieldsValid(broken)).toBe(false);
		expect(Object.keys(broken.errors)).toEqual(['url']);
	});

	it('reports an app older than the tested versions as a warning, a current one as a success', () => {
		const status = { appName: 'Sonarr', version: '4.0.19.2979', label: null };
		expect(connectedMessage({ ...status, versionWarning: null })).toEqual({
			type: 'success',
			text: 'Connected to Sonarr 4.0.19.2979'
		});
		expect(connectedMessage({ ...status, versionWarning: 'Sonarr 3 is old.' })).toEqual({
			type: 'warning',
			text: 'Connected to Sonarr 4.0.19.2979. Sonarr 3 is old.'
		});
	});
});
