import { describe, expect, it } from 'vitest';
import { libraryKind, majorVersion, versionWarning, whisparrLine } from './index';

describe('app versions', () => {
	it('tells the Whisparr line from the version major', () => {
		expect(whisparrLine('2.0.0.1000')).toBe(2);
		expect(whisparrLine('3.2.0.27')).toBe(3);
		expect(whisparrLine(null)).toBe(2);
		expect(libraryKind({ type: 'whisparr', appVersion: '3.0.1' })).toBe('movies');
		expect(libraryKind({ type: 'whisparr', appVersion: '2.0.0' })).toBe('series');
		expect(libraryKind({ type: 'radarr', appVersion: null })).toBe('movies');
	});

	it('warns below the oldest tested versions (Sonarr 3, Radarr 4) and not from them on', () => {
		expect(versionWarning('sonarr', '2.0.0.5344')).toMatch(/older than the oldest/);
		expect(versionWarning('sonarr', '3.0.10.1567')).toBeNull();
		expect(versionWarning('radarr', '3.2.2.5080')).toMatch(/Radarr 3\.2\.2\.5080/);
		expect(versionWarning('radarr', '4.7.5.7809')).toBeNull();
		expect(versionWarning('radarr', null)).toBeNull();
		expect(majorVersion('6.0.4.10291')).toBe(6);
	});
});
