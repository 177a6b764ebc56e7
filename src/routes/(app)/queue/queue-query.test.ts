import { describe, expect, it } from 'vitest';
import { queueSearch, readQueueQuery } from './queue-query';

describe('the Queue page query', () => {
	it('reads page and connector, ignoring malformed values', () => {
		expect(readQueueQuery(new URLSearchParams('page=3&connectorId=2'))).toEqual({
			page: 3,
			connectorId: 2
		});
		expect(readQueueQuery(new URLSearchParams('page=0&connectorId=x'))).toEqual({ page: 1 });
		expect(readQueueQuery(new URLSearchParams('page=1e3&connectorId=-1'))).toEqual({ page: 1 });
		expect(readQueueQuery(new URLSearchParams(''))).toEqual({ page: 1 });
	});

	it('writes a shareable query string, page 1 left out', () => {
		expect(queueSearch({ page: 1 })).toBe('');
		expect(queueSearch({ page: 2 })).toBe('?page=2');
		expect(queueSearch({ page: 1, connectorId: 4 })).toBe('?connectorId=4');
		expect(queueSearch({ page: 3, connectorId: 4 })).toBe('?connectorId=4&page=3');
	});
});
