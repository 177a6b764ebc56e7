/**
 * App versions and the contract differences that follow them.
 *
 * The simulator reports `options.version` in system/status and lets it steer the few fields whose
 * presence depends on the build (source: ../shared/arr-api/README.md §6 "lastSearchTime"):
 * - Sonarr `EpisodeResource.lastSearchTime` (and sort key `episodes.lastSearchTime`) since
 *   **4.0.9.2332**; Sonarr 3.x never writes it.
 * - Radarr `MovieResource.lastSearchTime` (and sort key `movies.lastSearchTime`) since
 *   **5.10.3.9178**.
 * - Whisparr v2 has no `lastSearchTime`; Whisparr v3 has it in the source but not in its (stale)
 *   spec, so the simulator leaves it out for v3 as well.
 */

/** Which app an instance simulates: Sonarr-shaped (`sonarr`, `whisparr-v2`) or Radarr-shaped. */
export type SimAppType = 'sonarr' | 'radarr' | 'whisparr-v2' | 'whisparr-v3';

/** Version reported when the `version` option is absent. */
export const DEFAULT_VERSIONS: Readonly<Record<SimAppType, string>> = {
	sonarr: '4.0.19.2979',
	radarr: '6.0.4.10291',
	'whisparr-v2': '2.0.0.1000',
	'whisparr-v3': '3.2.0.27'
};

/** First Sonarr build with `EpisodeResource.lastSearchTime`. */
export const SONARR_LAST_SEARCH_TIME = '4.0.9.2332';
/** First Radarr build with `MovieResource.lastSearchTime`. */
export const RADARR_LAST_SEARCH_TIME = '5.10.3.9178';

/**
 * The numeric parts of a version: '4.0.9.2332' → [4, 0, 9, 2332]. A part with a suffix counts by
 * its leading digits ('3.2.0-release.27' → [3, 2, 0, 27]); a part without digits counts as 0.
 */
export function versionParts(version: string): number[] {
	return version
		.trim()
		.replace(/^v/i, '')
		.split('.')
		.map((p) => {
			const m = /^\d+/.exec(p);
			return m ? Number(m[0]) : 0;
		});
}

/**
 * Whether `version` ≥ `min`, comparing dot-separated numbers left to right (missing parts are 0,
 * so '4.0.9' ≥ '4.0.9.0' and '4.0.10.1' ≥ '4.0.9.2332').
 * @example versionAtLeast('5.14.0.9383', '5.10.3.9178') // true
 */
export function versionAtLeast(version: string, min: string): boolean {
	const a = versionParts(version);
	const b = versionParts(min);
	for (let i = 0; i < Math.max(a.length, b.length); i++) {
		const x = a[i] ?? 0;
		const y = b[i] ?? 0;
		if (x !== y) {
			return x > y;
		}
	}
	return true;
}

/** Whether an app of `type` at `version` writes `lastSearchTime` on episodes/movies. */
export function hasLastSearchTime(type: SimAppType, version: string): boolean {
	switch (type) {
		case 'sonarr':
			return versionAtLeast(version, SONARR_LAST_SEARCH_TIME);
		case 'radarr':
			return versionAtLeast(version, RADARR_LAST_SEARCH_TIME);
		default:
			return false;
	}
}
