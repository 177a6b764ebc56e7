import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { LOGGER_OPTIONS, currentCorrelationId, withCorrelation } from './logger';

const dir = mkdtempSync(path.join(os.tmpdir(), 'comradarr-cid-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `write` against a logger with the app's options and returns the parsed lines. */
async function lines(write: (log: pino.Logger) => Promise<void> | void) {
	const file = path.join(dir, `${Math.random().toString(36).slice(2)}.log`);
	const destination = pino.destination({ dest: file, sync: true });
	const log = pino({ ...LOGGER_OPTIONS, level: 'info' }, destination).child({ module: 'test' });
	await write(log);
	destination.flushSync();
	return readFileSync(file, 'utf8')
		.trim()
		.split('\n')
		.map((line) => JSON.parse(line) as { msg: string; cid?: string });
}

describe('correlation ids', () => {
	it('reach every line logged inside withCorrelation, across awaits and timers', async () => {
		const logged = await lines(async (log) => {
			log.info('before');
			await withCorrelation('req-1', async () => {
				log.info('sync part');
				await new Promise((resolve) => setTimeout(resolve, 5));
				log.info('after a timer');
			});
			log.info('after');
		});
		expect(logged.map((line) => [line.msg, line.cid])).toEqual([
			['before', undefined],
			['sync part', 'req-1'],
			['after a timer', 'req-1'],
			['after', undefined]
		]);
	});

	it('let a nested run and an explicit cid field win', async () => {
		const logged = await lines((log) =>
			withCorrelation('req-2', () => {
				withCorrelation('job:7', () => log.info('nested'));
				log.info({ cid: 'explicit' }, 'explicit');
				expect(currentCorrelationId()).toBe('req-2');
			})
		);
		expect(logged.map((line) => line.cid)).toEqual(['job:7', 'explicit']);
	});
});
