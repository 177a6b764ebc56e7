/**
 * A short, human description of a `User-Agent` header for the session list ("Chrome 131 on
 * Linux"), parsed with bowser (the browser and OS names are bowser's).
 */
import Bowser from 'bowser';

/**
 * Describes a User-Agent header.
 * @returns "Firefox 133 on Windows", "curl 8.5", or "Unknown browser" when absent or unparsable.
 */
export function describeUserAgent(userAgent: string | null): string {
	if (!userAgent) return 'Unknown browser';
	const parsed = Bowser.parse(userAgent);
	const name = parsed.browser.name;
	if (!name) {
		// Scripts (curl, python-requests) are not browsers to bowser: show their product token.
		const product = /^([A-Za-z][\w.-]*)\/(\d+(?:\.\d+)?)/.exec(userAgent);
		return product ? `${product[1]} ${product[2]}` : 'Unknown browser';
	}
	const major = parsed.browser.version?.split('.')[0];
	const browser = major ? `${name} ${major}` : name;
	const os = parsed.os.name;
	return os ? `${browser} on ${os}` : browser;
}
