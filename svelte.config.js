import adapter from 'svelte-adapter-bun';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ out: 'build', precompress: false }),
		// No inline script runs without the per-response nonce SvelteKit adds (mode auto: nonces for
		// rendered pages, hashes for prerendered ones). The theme script in app.html carries
		// %sveltekit.nonce%; mode-watcher's own injected copy has none and is switched off
		// (src/routes/+layout.svelte). Styles keep 'unsafe-inline': bits-ui positions popovers with
		// style attributes, and CSS cannot run script.
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:'],
				'font-src': ['self', 'data:'],
				'connect-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['self']
			}
		},
		typescript: {
			config(tsconfig) {
				// svelte-check only sees src/ by default; root configs, scripts and tests are ours too.
				tsconfig.include.push('../*.ts', '../scripts/**/*.ts', '../tests/**/*.ts');
				return tsconfig;
			}
		}
	}
};

export default config;
