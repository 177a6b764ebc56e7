import { describe, expect, it } from 'vitest';
import type { DispatchResult } from '$lib/server/services/queue/dispatcher';
import { describeDispatch } from './dispatch-summary';

const pass = (dispatch: Partial<DispatchResult>) => ({
	dispatch: { sent: 0, searches: 0, failed: 0, stoppedBy: 'empty' as const, ...dispatch }
});

describe('describeDispatch', () => {
	it('adds up what every connector sent', () => {
		const results = [
			pass({ sent: 2, searches: 11 }),
			pass({ sent: 1, searches: 10, stoppedBy: 'window' })
		];
		expect(describeDispatch(results)).toEqual({
			ok: true,
			message: 'Sent 3 commands (21 searches)'
		});
	});

	it('says "Nothing queued" when every queue was empty', () => {
		expect(describeDispatch([pass({}), pass({})])).toEqual({ ok: true, message: 'Nothing queued' });
	});

	it('explains a full throttle window without calling it an error', () => {
		expect(describeDispatch([pass({ stoppedBy: 'window' })])).toEqual({
			ok: true,
			message: 'Throttle window full'
		});
	});

	it('flags failed commands and failed connector passes', () => {
		const results = [pass({ sent: 1, searches: 5, failed: 1, stoppedBy: 'error' })];
		expect(describeDispatch(results)).toEqual({
			ok: false,
			message: 'Sent 1 command (5 searches); 1 command failed'
		});
		expect(describeDispatch([null]).ok).toBe(false);
	});

	it('says when no connector is enabled', () => {
		expect(describeDispatch([])).toEqual({ ok: true, message: 'No enabled connectors' });
	});
});
