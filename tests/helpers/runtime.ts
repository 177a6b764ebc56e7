/**
 * Route handlers and services that call `getRuntime()` read the runtime from its `globalThis`
 * registry (src/lib/server/runtime.ts). `useTestRuntime` points it at the test world before each
 * test, so handlers can be called directly with a hand-made RequestEvent.
 */
import { beforeEach } from 'vitest';
import type { Runtime } from '../../src/lib/server/runtime';
import type { World } from './world';

/**
 * Registers a `beforeEach` that makes `getRuntime()` answer the world's database and secret box.
 * Call it at the top level of a test file, after `useWorld()`.
 * @param config the configuration fields the code under test reads (the rest are absent)
 */
export function useTestRuntime(world: World, config: Partial<Runtime['config']> = {}): void {
	beforeEach(() => {
		const registry = ((
			globalThis as { __comradarr?: { runtime?: Promise<Runtime> } }
		).__comradarr ??= {});
		registry.runtime = Promise.resolve({
			db: world.db,
			secrets: world.secrets,
			config: config as Runtime['config'],
			stop: async () => {}
		});
	});
}
