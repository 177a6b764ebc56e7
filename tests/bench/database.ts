/**
 * The PostgreSQL a benchmark runs on: a scratch database `name` on BENCH_DATABASE_URL's server
 * (dropped and created anew), else an embedded PostgreSQL in a temporary folder (removed by
 * `stop`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SQL } from 'bun';
import { startEmbeddedPostgres } from '../../src/lib/server/db/embedded';

export async function benchDatabase(
	name: string
): Promise<{ url: string; embedded: boolean; stop: () => Promise<void> }> {
	const base = process.env.BENCH_DATABASE_URL;
	if (base) {
		const admin = new SQL(base, { max: 1 });
		await admin.unsafe(`drop database if exists ${name} with (force)`);
		await admin.unsafe(`create database ${name}`);
		const url = new URL(base);
		url.pathname = `/${name}`;
		return {
			url: url.toString(),
			embedded: false,
			stop: async () => {
				await admin.unsafe(`drop database if exists ${name} with (force)`);
				await admin.close();
			}
		};
	}
	const dir = mkdtempSync(path.join(os.tmpdir(), 'comradarr-bench-'));
	const embedded = await startEmbeddedPostgres(dir);
	return {
		url: embedded.url,
		embedded: true,
		stop: async () => {
			await embedded.stop();
			rmSync(dir, { recursive: true, force: true });
		}
	};
}
