import { DomainError } from '$lib/server/errors';
import { SecretError } from '$lib/server/crypto/secrets';
import {
	ConnectorFieldError,
	ConnectorNotFoundError
} from '$lib/server/services/connectors/connector-service';
import { JobConflictError } from '$lib/server/services/jobs';
import { UploadError } from '$lib/server/services/database/uploads';
import { describe, expect, it } from 'vitest';
import { error, isRedirect, redirect, type RequestEvent } from '@sveltejs/kit';
import * as v from 'valibot';
import { ApiError, apiError, jsonError, readJson, withApi, type ApiErrorBody } from './api';

async function body(response: Response): Promise<ApiErrorBody> {
	return (await response.json()) as ApiErrorBody;
}

const schema = v.object({
	name: v.pipe(v.string(), v.minLength(1, 'Name is required.')),
	throttle: v.object({ perHour: v.pipe(v.number(), v.minValue(1, 'At least 1 per hour.')) })
});

function jsonRequest(text: string | null, contentType = 'application/json'): Request {
	return new Request('http://localhost/api/x', {
		method: 'POST',
		headers: { 'content-type': contentType },
		...(text === null ? {} : { body: text })
	});
}

describe('jsonError', () => {
	it('answers an ApiError with its status, code, message and fields', async () => {
		const response = jsonError(new ApiError(404, 'connectors.not_found', 'No connector 7'));
		expect(response.status).toBe(404);
		expect(await body(response)).toEqual({
			error: { code: 'connectors.not_found', message: 'No connector 7' }
		});
		const withFields = jsonError(
			new ApiError(409, 'connectors.duplicate', 'Taken', { url: 'Already added' })
		);
		expect(await body(withFields)).toEqual({
			error: { code: 'connectors.duplicate', message: 'Taken', fields: { url: 'Already added' } }
		});
	});

	it('turns a valibot error into 400 validation.failed with dotted field paths', async () => {
		const result = v.safeParse(schema, { name: '', throttle: { perHour: 0 } });
		if (result.success) throw new Error('the test body should not parse');
		const response = jsonError(new v.ValiError(result.issues));
		expect(response.status).toBe(400);
		expect(await body(response)).toEqual({
			error: {
				code: 'validation.failed',
				message: 'Name is required.',
				fields: { name: 'Name is required.', 'throttle.perHour': 'At least 1 per hour.' }
			}
		});
	});

	it('keeps the status of a SvelteKit error()', async () => {
		let thrown: unknown;
		try {
			error(404, 'Not found');
		} catch (e) {
			thrown = e;
		}
		const response = jsonError(thrown);
		expect(response.status).toBe(404);
		expect(await body(response)).toEqual({ error: { code: 'http.404', message: 'Not found' } });
	});

	it('never leaks an unexpected error: 500 internal with a generic message', async () => {
		const response = jsonError(
			new Error('duplicate key value violates constraint "users_pkey" password=hunter2')
		);
		expect(response.status).toBe(500);
		const text = await response.text();
		expect(JSON.parse(text)).toEqual({ error: { code: 'internal', message: 'Internal error' } });
		expect(text).not.toMatch(/hunter2|users_pkey/);
	});

	it('answers every domain error with its own status and code, without a branch per class', async () => {
		for (const [error, status, code] of [
			[new ConnectorNotFoundError(7), 404, 'connectors.not_found'],
			[new ConnectorFieldError({ url: 'Could not reach it' }), 400, 'connectors.invalid'],
			[new JobConflictError('db.vacuum', 3), 409, 'jobs.already_running'],
			[
				new UploadError(409, 'uploads.offset_mismatch', 'Send from 10.', 10),
				409,
				'uploads.offset_mismatch'
			],
			[new DomainError('something.new', 'A new refusal.', { status: 422 }), 422, 'something.new'],
			[new SecretError('unable to authenticate data'), 409, 'secrets.invalid']
		] as const) {
			const response = jsonError(error);
			expect(response.status, code).toBe(status);
			expect(((await body(response)) as { error: { code: string } }).error.code).toBe(code);
		}
		const offset = await body(jsonError(new UploadError(409, 'uploads.offset_mismatch', 'x', 10)));
		expect(offset).toMatchObject({ error: { fields: { offset: '10' } } });
	});

	it('does not take an error with a code of its own for a refusal (ENOENT, SQLSTATE)', async () => {
		const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/data/x'"), {
			code: 'ENOENT',
			status: 404
		});
		const response = jsonError(enoent);
		expect(response.status).toBe(500);
		expect(await response.text()).not.toContain('/data/x');
	});
});

describe('readJson', () => {
	it('returns the parsed, validated body', async () => {
		const data = await readJson(jsonRequest('{"name":"Sonarr","throttle":{"perHour":5}}'), schema);
		expect(data).toEqual({ name: 'Sonarr', throttle: { perHour: 5 } });
	});

	it('answers 415 request.invalid_json for a body that is not declared JSON', async () => {
		await expect(
			readJson(jsonRequest('name=x', 'application/x-www-form-urlencoded'), schema)
		).rejects.toMatchObject({
			status: 415,
			code: 'request.invalid_json'
		});
	});

	it('accepts a charset parameter and +json types', async () => {
		const data = await readJson(
			jsonRequest('{"name":"a","throttle":{"perHour":1}}', 'application/json; charset=utf-8'),
			schema
		);
		expect(data.name).toBe('a');
	});

	it('answers 400 request.invalid_json for an empty or malformed body', async () => {
		await expect(readJson(jsonRequest(null), schema)).rejects.toMatchObject({
			status: 400,
			code: 'request.invalid_json'
		});
		await expect(readJson(jsonRequest('{"name":'), schema)).rejects.toMatchObject({
			status: 400,
			code: 'request.invalid_json'
		});
	});

	it('refuses a JSON array, string, number or null where the schema describes an object', async () => {
		const optional = v.object({ name: v.optional(v.string()) });
		for (const [text, kind] of [
			['[]', 'an array'],
			['[{"name":"x"}]', 'an array'],
			['"x"', 'a string'],
			['5', 'a number'],
			['null', 'null']
		] as const) {
			const failure = await readJson(jsonRequest(text), optional).catch((e: unknown) => e);
			expect(failure).toMatchObject({ status: 400, code: 'request.invalid_json' });
			expect((failure as ApiError).message).toBe(
				`The request body must be a JSON object ({…}), not ${kind}.`
			);
		}
		// A piped object schema is still an object schema.
		const piped = v.pipe(
			optional,
			v.check(() => true)
		);
		await expect(readJson(jsonRequest('[]'), piped)).rejects.toMatchObject({ status: 400 });
		await expect(readJson(jsonRequest('{}'), optional)).resolves.toEqual({});
	});

	it('throws the ValiError for a body of the wrong shape (400 validation.failed through jsonError)', async () => {
		const failure = await readJson(jsonRequest('{"name":"x"}'), schema).catch((e: unknown) => e);
		expect(v.isValiError(failure)).toBe(true);
		const response = jsonError(failure);
		expect(response.status).toBe(400);
		expect((await body(response)).error.fields).toHaveProperty('throttle');
	});
});

describe('withApi', () => {
	const event = {
		locals: { requestId: 'test', user: null, apiKey: null }
	} as unknown as RequestEvent;

	it('returns the handler response untouched', async () => {
		const handler = withApi(() => new Response('ok'));
		expect(await (await handler(event)).text()).toBe('ok');
	});

	it('turns thrown errors into JSON error responses', async () => {
		const handler = withApi(() => apiError(422, 'queue.empty', 'Nothing to search'));
		const response = await handler(event);
		expect(response.status).toBe(422);
		expect(await body(response)).toEqual({
			error: { code: 'queue.empty', message: 'Nothing to search' }
		});
		const crashing = withApi(async () => {
			throw new TypeError('boom');
		});
		expect((await crashing(event)).status).toBe(500);
	});

	it('lets redirect() through', async () => {
		const handler = withApi(() => redirect(303, '/login'));
		const thrown = await Promise.resolve(handler(event)).catch((e: unknown) => e);
		expect(isRedirect(thrown)).toBe(true);
	});
});
