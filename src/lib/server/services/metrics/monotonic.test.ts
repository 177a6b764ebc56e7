import { describe, expect, it } from 'vitest';
import { MonotonicTotals } from './monotonic';

const a = { job: 'a' };
const b = { job: 'b' };

describe('MonotonicTotals', () => {
	it('starts from the first count and adds every rise', () => {
		const totals = new MonotonicTotals();
		totals.update([{ labels: a, value: 5 }], () => true);
		totals.update([{ labels: a, value: 8 }], () => true);
		expect(totals.entries()).toEqual([{ labels: a, value: 8 }]);
	});

	it('never falls when the counted rows are pruned, and counts the rows added after', () => {
		const totals = new MonotonicTotals();
		totals.update([{ labels: a, value: 10 }], () => true);
		totals.update([{ labels: a, value: 4 }], () => true);
		expect(totals.entries()).toEqual([{ labels: a, value: 10 }]);
		totals.update([{ labels: a, value: 6 }], () => true);
		expect(totals.entries()).toEqual([{ labels: a, value: 12 }]);
	});

	it('keeps a label set whose rows are all gone while `keep` says so, and drops it otherwise', () => {
		const totals = new MonotonicTotals();
		totals.update(
			[
				{ labels: a, value: 3 },
				{ labels: b, value: 2 }
			],
			() => true
		);
		totals.update([], (labels) => labels.job === 'a');
		expect(totals.entries()).toEqual([{ labels: a, value: 3 }]);
		totals.update([{ labels: a, value: 1 }], () => true);
		expect(totals.entries()).toEqual([{ labels: a, value: 4 }]);
	});

	it('treats label order as irrelevant', () => {
		const totals = new MonotonicTotals();
		totals.update([{ labels: { x: '1', y: '2' }, value: 1 }], () => true);
		totals.update([{ labels: { y: '2', x: '1' }, value: 3 }], () => true);
		expect(totals.entries()).toHaveLength(1);
		expect(totals.entries()[0]!.value).toBe(3);
	});
});
