import { sveltekit } from '@sveltejs/kit/vite';
import UnoCSS from 'unocss/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [UnoCSS(), sveltekit()],
	test: {
		// Vitest forks do not work under Bun (STACK.md trap 4).
		pool: 'threads',
		// Integration tests share one PostgreSQL database; files run one after another.
		fileParallelism: false,
		testTimeout: 30_000,
		hookTimeout: 60_000,
		globalSetup: ['tests/setup/global.ts'],
		projects: [
			{
				extends: true,
				test: {
					name: 'server',
					environment: 'node',
					include: [
						'src/**/*.test.ts',
						'tests/integration/**/*.test.ts',
						'tests/contract/**/*.test.ts',
						'tests/arr-sim/**/*.test.ts'
					]
				}
			}
		]
	}
});
