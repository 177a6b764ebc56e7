import { describe, expect, it } from 'vitest';
import { formActionName, refuseUnknownFormAction } from './form-actions';

function post(path: string, accept?: string) {
	const url = new URL(`http://localhost${path}`);
	const headers: Record<string, string> = {
		'content-type': 'application/x-www-form-urlencoded'
	};
	if (accept) headers.accept = accept;
	return { request: new Request(url, { method: 'POST', headers, body: 'username=x' }), url };
}

describe('form action names', () => {
	it('reads the name as SvelteKit does: the first query key starting with a slash', () => {
		expect(formActionName(new URL('http://l/setup'))).toBe('default');
		expect(formActionName(new URL('http://l/connectors/1?/save'))).toBe('save');
		expect(formActionName(new URL('http://l/x?a=1&/test&/save'))).toBe('test');
	});

	it.each(['default', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])(
		'answers POST ?/%s with a 404 instead of a 500 or a call of Object.prototype',
		async (name) => {
			const response = refuseUnknownFormAction(post(`/setup?/${name}`));
			expect(response?.status).toBe(404);
			expect(await response?.text()).toBe(`No form action named "${name}" on this page`);
		}
	);

	it('answers use:enhance posts with an ActionResult error', async () => {
		const response = refuseUnknownFormAction(post('/login?/default', 'application/json'));
		expect(response?.status).toBe(404);
		expect(await response?.json()).toEqual({
			type: 'error',
			error: { message: 'No form action named "default" on this page', code: 'http.404' }
		});
	});

	it('lets real actions, the unnamed default action and other methods through', () => {
		expect(refuseUnknownFormAction(post('/setup'))).toBeNull();
		expect(refuseUnknownFormAction(post('/connectors/1?/save'))).toBeNull();
		expect(refuseUnknownFormAction(post('/connectors/new?/test'))).toBeNull();
		// Unknown names without a prototype member are SvelteKit's own clean 404.
		expect(refuseUnknownFormAction(post('/setup?/nope'))).toBeNull();
		const url = new URL('http://localhost/setup?/default');
		expect(refuseUnknownFormAction({ request: new Request(url), url })).toBeNull();
	});
});
