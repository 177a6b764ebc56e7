import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import {
	channelCreateSchema,
	channelFormSchema,
	channelFormValues,
	formFieldOf,
	formToBody,
	newChannelValues,
	type ChannelView
} from './notification-channels';

const ntfyForm = () => ({
	...newChannelValues('ntfy', 'Europe/Berlin'),
	name: 'Phone',
	serverUrl: 'https://ntfy.example.org',
	topic: 'alerts'
});

/** The form's errors by field. */
function formErrors(values: unknown): Record<string, string> {
	const result = v.safeParse(channelFormSchema, values);
	const out: Record<string, string> = {};
	for (const issue of result.issues ?? []) out[v.getDotPath(issue) ?? ''] ??= issue.message;
	return out;
}

describe('the channel form', () => {
	it('sends only the fields of its type, empty optional ones and secrets left out', () => {
		const body = formToBody({
			...ntfyForm(),
			webhookUrl: 'https://discord.example/x',
			tags: ' tv, ,e2e '
		});
		expect(body.config).toEqual({
			serverUrl: 'https://ntfy.example.org',
			topic: 'alerts',
			priority: 3,
			tags: ['tv', 'e2e']
		});
		expect(body).toMatchObject({ events: ['*'], quietHours: null, maxPerHour: null });
		expect(v.safeParse(channelCreateSchema('ntfy'), body).success).toBe(true);
	});

	it('sends an emptied optional field as null on an edit, so the stored value goes', () => {
		const body = formToBody({ ...ntfyForm(), username: '', tags: '' }, { clearEmpty: true });
		expect(body.config).toMatchObject({ username: null, tags: null });
		expect(body.config).not.toHaveProperty('token');
	});

	it('sends a stored optional secret marked for removal as null on an edit, never a required one', () => {
		const ntfy = formToBody(
			{ ...ntfyForm(), storedSecrets: ['token', 'password'], removeSecrets: ['token'] },
			{ clearEmpty: true }
		);
		expect(ntfy.config.token).toBeNull();
		expect(ntfy.config).not.toHaveProperty('password');
		// Not marked, or not an edit: left out, so the stored value stays.
		expect(formToBody({ ...ntfyForm(), removeSecrets: ['token'] }).config).not.toHaveProperty(
			'token'
		);
		const gotify = formToBody(
			{
				...newChannelValues('gotify', 'UTC'),
				name: 'G',
				serverUrl: 'https://gotify.example.org',
				storedSecrets: ['appToken'],
				removeSecrets: ['appToken']
			},
			{ clearEmpty: true }
		);
		expect(gotify.config).not.toHaveProperty('appToken');
		// A new value typed after all wins over the removal.
		expect(
			formToBody({ ...ntfyForm(), token: 'tk_new', removeSecrets: ['token'] }, { clearEmpty: true })
				.config.token
		).toBe('tk_new');
	});

	it('names the form field of each refused API field, a required secret included', () => {
		expect(
			formErrors({ ...newChannelValues('discord', 'UTC'), name: 'D', webhookUrl: '' })
		).toEqual({ webhookUrl: 'Webhook URL is required' });
		expect(
			formErrors({
				...ntfyForm(),
				serverUrl: 'ftp://x',
				quietEnabled: true,
				quietStart: '22:00',
				quietEnd: '22:00',
				limitPerHour: true,
				maxPerHour: 0
			})
		).toEqual({
			serverUrl: 'Server URL must be an http:// or https:// URL',
			quietEnd: 'Start and end must differ',
			maxPerHour: 'Maximum per hour must be at least 1'
		});
	});

	it('lets a stored secret stay empty on an edit, and only a stored one', () => {
		const discord = { ...newChannelValues('discord', 'UTC'), name: 'D', webhookUrl: '' };
		expect(formErrors({ ...discord, storedSecrets: ['webhookUrl'] })).toEqual({});
		expect(formErrors({ ...discord, storedSecrets: ['somethingElse'] })).toHaveProperty(
			'webhookUrl'
		);
	});

	it('fills the form of a stored channel without any secret, listing which are stored', () => {
		const view: ChannelView = {
			id: 1,
			type: 'ntfy',
			name: 'Phone',
			enabled: true,
			config: {
				serverUrl: 'https://ntfy.example.org',
				topic: 'alerts',
				tags: ['a', 'b'],
				priority: 5
			},
			secrets: { token: true, password: false },
			secretsReadable: true,
			events: ['item.acquired'],
			minSeverity: 'warning',
			connectorIds: [3],
			batchWindowSeconds: 60,
			quietHours: { start: '23:00', end: '06:00', timezone: 'UTC', errorsPassThrough: false },
			maxPerHour: 10,
			templates: { title: 'T' },
			createdAt: '',
			updatedAt: '',
			lastDelivery: null
		};
		const values = channelFormValues(view, 'Europe/Berlin');
		expect(values).toMatchObject({
			storedSecrets: ['token'],
			token: '',
			tags: 'a, b',
			priority: 5,
			allEvents: false,
			events: ['item.acquired'],
			quietEnabled: true,
			quietTimezone: 'UTC',
			errorsPassThrough: false,
			limitPerHour: true,
			maxPerHour: 10,
			titleTemplate: 'T'
		});
		expect(formErrors(values)).toEqual({});
	});

	it('maps API paths to form fields', () => {
		expect(formFieldOf('config.tags.0')).toBe('tags');
		expect(formFieldOf('quietHours.timezone')).toBe('quietTimezone');
		expect(formFieldOf('templates.title')).toBe('titleTemplate');
		expect(formFieldOf('events.1')).toBe('events');
	});
});
