import { describe, expect, it } from 'vitest';
import { JobConflictError, jobLabel } from './errors';

describe('jobLabel', () => {
	it('names the known jobs, scheduled sweeps by their schedule, and leaves others as they are', () => {
		expect(jobLabel('db.vacuum')).toBe('Vacuum');
		expect(jobLabel('sweep.schedule.12')).toBe('Scheduled sweep 12');
		expect(jobLabel('sweep.schedule.x')).toBe('sweep.schedule.x');
		expect(jobLabel('sync.full')).toBe('sync.full');
		expect(new JobConflictError('sweep.schedule.3', null).message).toBe(
			'Scheduled sweep 3 is already running; wait for it to finish.'
		);
	});
});
