/**
 * Vitest global setup: one PostgreSQL for the whole run.
 *
 * With `TEST_DATABASE_URL` (CI: the machine's local server) a fresh database
 * `comradarr_test_<pid>` is created on that server and dropped afterwards; without it an embedded
 * PostgreSQL is started in a temporary folder, so `npm test` passes on a fresh machine. Test files
 * receive the URL through `inject('databaseUrl')` and migrate it themselves (tests/helpers/db.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SQL } from 'bun';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/lib/server/db/embedded';

declare module 'vitest' {
	export interface ProvidedContext {
		databaseUrl: string;
	}
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
	const external = process.env.TEST_DATABASE_URL;
	if (external) {
		const name = `comradarr_test_${process.pid}`;
		const admin = new SQL(external, { max: 1 });
		await admin.unsafe(`drop database if exists ${name} with (force)`);
		await admin.unsafe(`create database ${name}`);
		const url = new URL(external);
		url.pathname = `/${name}`;
		project.provide('databaseUrl', url.toString());
		return async () => {
			await admin.unsafe(`drop database if exists ${name} with (force)`);
			await admin.close();
		};
	}
	const dir = mkdtempSync(path.join(os.tmpdir(), 'comradarr-test-'));
	const embedded = await startEmbeddedPostgres(dir);
	project.provide('databaseUrl', embedded.url);
	return async () => {
		await embedded.stop();
		rmSync(dir, { recursive: true, force: true });
	};
}
