import { defineConfig, presetWind3 } from 'unocss';
import presetAnimations from 'unocss-preset-animations';
import { presetShadcn } from 'unocss-preset-shadcn';

export default defineConfig({
	presets: [presetWind3(), presetAnimations(), presetShadcn({ color: 'zinc' })],
	content: {
		pipeline: {
			// Variant strings live in tv() calls inside .ts files (STACK.md trap 12).
			include: [/\.(svelte|ts|html)($|\?)/]
		}
	},
	preflights: [
		{
			getCSS: () =>
				// unocss-preset-shadcn 1.0.1 maps `bg-sidebar` to --sidebar-background but defines only
				// --sidebar. A bare `border` takes @unocss/reset's --un-default-border-color (else a fixed
				// light grey, near-white in dark mode): point it at the theme's border colour.
				// The preset's dark --border, --input and --sidebar-border carry their own alpha (`1 0 0 / 10%`), so
				// `border-border` became `oklch(1 0 0 / 10% / 1)`: invalid, and the border fell back to
				// the text colour (near-white). html.dark (more specific than the preset's .dark) sets the
				// same colours opaque, as composited over the dark background.
				':root { --sidebar-background: var(--sidebar); --un-default-border-color: oklch(var(--border)); }' +
				' html.dark { --border: 0.274 0.006 286.033; --input: 0.31 0.006 286.033; --sidebar-border: 0.274 0.006 286.033; }'
		}
	],
	shortcuts: {
		'page-title': 'text-2xl font-semibold tracking-tight',
		muted: 'text-sm text-muted-foreground'
	}
});
