/**
 * Settings → About: what is running. Build facts come from Vite's `define` (vite.config.ts);
 * the database server reports its own version.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '$lib/server/db';
import { moduleLogger } from '$lib/server/logger';

const log = moduleLogger('settings');

/** A link of the About page. */
export interface ProjectLink {
	label: string;
	href: string;
}

/**
 * README, issues and security policy, under package.json `homepage` (a GitHub-style repository
 * page); none while it has no homepage, rather than a guessed address.
 */
export function projectLinks(homepage: string = __APP_HOMEPAGE__): ProjectLink[] {
	if (!/^https:\/\//.test(homepage)) return [];
	const base = homepage.replace(/#.*$/, '').replace(/\/+$/, '');
	return [
		{ label: 'README', href: `${base}#readme` },
		{ label: 'Issues', href: `${base}/issues` },
		{ label: 'Security policy (SECURITY.md)', href: `${base}/blob/main/SECURITY.md` }
	];
}

export interface AboutInfo {
	/** package.json `version`. */
	version: string;
	/** Short git commit of the build, or "unknown". */
	commit: string;
	/** ISO 8601 time of the build. */
	buildDate: string;
	/** `Bun.version`, or null when not running under Bun (tests under Node). */
	bunVersion: string | null;
	/** PostgreSQL `server_version` ("15.10 (Debian 15.10-0+deb12u1)"), or null when unreachable. */
	databaseVersion: string | null;
	/** Whether the database is the embedded PostgreSQL (`DATABASE_URL` unset). */
	embeddedDatabase: boolean;
}

/** Collects the About facts; a database that does not answer gives `databaseVersion: null`. */
export async function getAboutInfo(
	db: DbOrTx,
	env: Record<string, string | undefined> = process.env
): Promise<AboutInfo> {
	let databaseVersion: string | null = null;
	try {
		const rows = await db.execute<{ version: string }>(
			sql`select current_setting('server_version') as version`
		);
		databaseVersion = [...rows][0]?.version ?? null;
	} catch (error) {
		log.warn({ err: error }, 'could not read the database server version');
	}
	return {
		version: __APP_VERSION__,
		commit: __APP_COMMIT__,
		buildDate: __APP_BUILD_DATE__,
		bunVersion: typeof Bun === 'undefined' ? null : Bun.version,
		databaseVersion,
		embeddedDatabase: !env.DATABASE_URL
	};
}
