// Flat config: the Svelte ecosystem's recommended rules plus type-aware async rules — a forgotten
// `await` in the scheduler or a service drops errors silently (CONVENTIONS.md).
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default ts.config(
	{
		ignores: [
			'build/',
			'.svelte-kit/',
			'.tools/',
			'node_modules/',
			'data/',
			'drizzle/',
			'.test-results/'
		]
	},
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	{
		languageOptions: {
			globals: { ...globals.browser, ...globals.node, Bun: 'readonly' },
			parserOptions: {
				projectService: true,
				extraFileExtensions: ['.svelte'],
				parser: ts.parser,
				svelteConfig
			}
		},
		rules: {
			'@typescript-eslint/no-floating-promises': 'error',
			'@typescript-eslint/no-misused-promises': [
				'error',
				{ checksVoidReturn: { attributes: false } }
			],
			'@typescript-eslint/switch-exhaustiveness-check': [
				'error',
				{ considerDefaultExhaustiveForUnions: true }
			],
			// BASE_URL serves the app under a sub-path: internal links go through resolve() ($app/paths).
			'svelte/no-navigation-without-resolve': 'error',
			'@typescript-eslint/no-unused-vars': [
				'error',
				{ argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }
			],
			eqeqeq: ['error', 'always'],
			curly: ['error', 'multi-line'],
			'no-undef': 'off'
		}
	},
	// The import direction: routes → services → connectors / db (CONVENTIONS.md). The layers
	// below never reach up; services never reach into route code.
	{
		files: [
			'src/lib/server/db/**/*.ts',
			'src/lib/server/connectors/**/*.ts',
			'src/lib/server/crypto/**/*.ts',
			'src/lib/server/time/**/*.ts'
		],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							group: ['**/services/**', '$lib/server/services/**'],
							message: 'db, connectors and crypto sit below the services: pass what they need in.'
						},
						{
							group: [
								'**/api/**',
								'$lib/server/api/**',
								'**/http/**',
								'$lib/server/http/**',
								'**/routes/**'
							],
							message: 'db, connectors and crypto never import the HTTP layer.'
						}
					]
				}
			]
		}
	},
	// db and connectors are peers: db/queries take plain rows (db/mirror.ts), never a client. A
	// later block replaces the rule for these files, so it repeats the patterns above.
	{
		files: ['src/lib/server/db/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							group: ['**/services/**', '$lib/server/services/**'],
							message: 'db sits below the services: pass what it needs in.'
						},
						{
							group: [
								'**/server/connectors',
								'**/server/connectors/**',
								'../connectors',
								'../connectors/**',
								'../../connectors',
								'../../connectors/**',
								'$lib/server/connectors',
								'$lib/server/connectors/**'
							],
							message: 'db never imports the connectors: the mirror rows live in db/mirror.ts.'
						},
						{
							group: [
								'**/api/**',
								'$lib/server/api/**',
								'**/http/**',
								'$lib/server/http/**',
								'**/routes/**'
							],
							message: 'db, connectors and crypto never import the HTTP layer.'
						}
					]
				}
			]
		}
	},
	{
		files: ['src/lib/server/services/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							group: ['**/routes/**', '$lib/server/api/**', '**/server/api/**', '$app/**'],
							message: 'Services are called by routes, never the other way round.'
						}
					]
				}
			]
		}
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts'],
		languageOptions: { parserOptions: { parser: ts.parser } }
	},
	{ files: ['**/*.js'], ...ts.configs.disableTypeChecked }
);
