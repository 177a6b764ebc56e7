/**
 * How every test that needs a browser launches Debian's Chromium (Playwright cannot download its
 * own here): the Playwright e2e config and vitest's browser-mode component tests.
 * `CHROMIUM_PATH` overrides the executable.
 */
export const chromiumLaunchOptions = {
	executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
	args: [
		'--headless',
		'--no-sandbox',
		'--disable-gpu',
		'--disable-quic',
		'--disable-background-networking',
		'--disable-component-update',
		'--disable-sync',
		'--no-first-run'
	]
};
