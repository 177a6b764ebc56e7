/**
 * The committed contract (tests/contract/arr-contract.generated.json) is derived from the official
 * specs by scripts/derive-arr-contract.ts; where ../shared/arr-api is present it must be current.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTRACT_FILE, deriveContract, serialise } from '../../scripts/derive-arr-contract';
import { loadContract, sharedPresent } from './contract';

describe('derived *arr contract', () => {
	it('covers the operations and resources of all four apps', () => {
		const contract = loadContract();
		for (const app of ['sonarr', 'radarr', 'whisparr-v2', 'whisparr-v3'] as const) {
			expect(Object.keys(contract.apps[app].operations)).toContain('POST /api/v3/command');
			expect(Object.keys(contract.apps[app].operations)).toContain('GET /api/v3/system/status');
		}
		expect(contract.apps['whisparr-v3'].operations['GET /api/v3/wanted/missing']).toBeUndefined();
		expect(contract.apps.sonarr.operations['GET /api/v3/wanted/missing']?.query).toContain(
			'pageSize'
		);
	});

	if (sharedPresent) {
		it('is current with ../shared/arr-api (else run: bun scripts/derive-arr-contract.ts)', () => {
			expect(readFileSync(CONTRACT_FILE, 'utf8')).toBe(serialise(deriveContract()));
		});
	}
});
