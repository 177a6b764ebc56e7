import { describe, expect, it } from 'vitest';
import { describeHealthCheck } from './operation-messages';

describe('describeHealthCheck', () => {
	it('names the state of a healthy connector without a reason', () => {
		expect(describeHealthCheck('healthy', null)).toBe('Health: healthy');
	});

	it("gives the app's own warnings as the reason a connector is degraded", () => {
		expect(describeHealthCheck('degraded', 'Indexers unavailable due to failures: NZBgeek')).toBe(
			'Health: degraded — Indexers unavailable due to failures: NZBgeek'
		);
	});
});
