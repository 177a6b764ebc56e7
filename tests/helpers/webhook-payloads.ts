/**
 * Webhook bodies as Sonarr and Radarr send them, built field by field from their source
 * (`src/NzbDrone.Core/Notifications/Webhook/` in github.com/Sonarr/Sonarr and
 * github.com/Radarr/Radarr): the payload classes (`WebhookGrabPayload`, `WebhookImportPayload`,
 * `WebhookEpisodeDeletePayload`, `WebhookSeriesDeletePayload`, `WebhookRenamePayload`,
 * `WebhookMovieFileDeletePayload`, `WebhookMovieDeletePayload`), their parts (`WebhookSeries`,
 * `WebhookEpisode`, `WebhookEpisodeFile`, `WebhookMovie`, `WebhookRemoteMovie`, `WebhookMovieFile`,
 * `WebhookRelease`, `WebhookGrabbedRelease`, `WebhookCustomFormatInfo`) and `WebhookBase.cs`
 * (what each event fills in, the Test payload). Serialised as the apps do (NzbDrone.Common
 * `Json`): camelCase properties, `null`s omitted, default ints included, enums camelCase except
 * `eventType` (PascalCase, DefaultNamingStrategy on WebhookEventType).
 */

const APP_URL = 'http://nas:8989';

export interface SeriesRef {
	id: number;
	title: string;
	tvdbId: number;
}

export interface EpisodeRef {
	id: number;
	seriesId: number;
	seasonNumber: number;
	episodeNumber: number;
	title: string;
}

function webhookSeries(s: SeriesRef) {
	return {
		id: s.id,
		title: s.title,
		titleSlug: s.title.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
		path: `/tv/${s.title}`,
		tvdbId: s.tvdbId,
		tvMazeId: 0,
		tmdbId: 0,
		imdbId: 'tt0000001',
		type: 'standard',
		year: 2020,
		genres: ['Drama'],
		images: [
			{ coverType: 'poster', url: '/MediaCover/1/poster.jpg', remoteUrl: 'https://x/p.jpg' }
		],
		tags: [],
		originalLanguage: { id: 1, name: 'English' },
		originalCountry: 'us'
	};
}

function webhookEpisode(e: EpisodeRef) {
	return {
		id: e.id,
		episodeNumber: e.episodeNumber,
		seasonNumber: e.seasonNumber,
		title: e.title,
		overview: 'An episode.',
		airDate: '2020-01-01',
		airDateUtc: '2020-01-01T02:00:00Z',
		seriesId: e.seriesId,
		tvdbId: 1000 + e.id
	};
}

function webhookEpisodeFile(id: number, quality = 'WEBDL-1080p') {
	return {
		id,
		relativePath: `Season 01/Episode ${id}.mkv`,
		path: `/tv/Show/Season 01/Episode ${id}.mkv`,
		quality,
		qualityVersion: 1,
		releaseGroup: 'GRP',
		sceneName: `Show.S01E01.1080p.WEB-DL-GRP`,
		size: 1_500_000_000,
		dateAdded: '2026-12-01T10:00:00Z',
		languages: [{ id: 1, name: 'English' }],
		mediaInfo: {
			audioChannels: 5.1,
			audioCodec: 'EAC3',
			audioLanguages: ['eng'],
			height: 1080,
			width: 1920,
			subtitles: ['eng'],
			videoCodec: 'h264',
			videoDynamicRange: '',
			videoDynamicRangeType: ''
		}
	};
}

const customFormatInfo = { customFormats: [], customFormatScore: 0 };

/** Sonarr's Test payload, exactly as WebhookBase.BuildTestPayload builds it. */
export function sonarrTest() {
	return {
		eventType: 'Test',
		instanceName: 'Sonarr',
		applicationUrl: APP_URL,
		series: {
			id: 1,
			title: 'Test Title',
			path: 'C:\\testpath',
			tvdbId: 1234,
			tvMazeId: 0,
			tmdbId: 0,
			type: 'standard',
			year: 0,
			tags: ['test-tag']
		},
		episodes: [
			{ id: 123, episodeNumber: 1, seasonNumber: 1, title: 'Test title', seriesId: 0, tvdbId: 0 }
		]
	};
}

/** WebhookGrabPayload (On Grab). */
export function sonarrGrab(s: SeriesRef, episodes: EpisodeRef[]) {
	return {
		eventType: 'Grab',
		instanceName: 'Sonarr',
		applicationUrl: APP_URL,
		series: webhookSeries(s),
		episodes: episodes.map(webhookEpisode),
		release: {
			quality: 'WEBDL-1080p',
			qualityVersion: 1,
			releaseGroup: 'GRP',
			releaseTitle: 'Show.S01E01.1080p.WEB-DL-GRP',
			indexer: 'Indexer (Prowlarr)',
			size: 1_500_000_000,
			customFormatScore: 0,
			customFormats: [],
			languages: [{ id: 1, name: 'English' }],
			indexerFlags: []
		},
		downloadClient: 'SABnzbd',
		downloadClientType: 'SABnzbd',
		downloadId: 'SABnzbd_nzo_abc123',
		customFormatInfo
	};
}

/** WebhookImportPayload (On File Import; `isUpgrade` with `deletedFiles` for On File Upgrade). */
export function sonarrDownload(
	s: SeriesRef,
	episodes: EpisodeRef[],
	fileId: number,
	upgrade: { oldFileId: number } | null = null
) {
	return {
		eventType: 'Download',
		instanceName: 'Sonarr',
		applicationUrl: APP_URL,
		series: webhookSeries(s),
		episodes: episodes.map(webhookEpisode),
		episodeFile: { ...webhookEpisodeFile(fileId), sourcePath: '/downloads/Show.S01E01' },
		release: {
			releaseTitle: 'Show.S01E01.1080p.WEB-DL-GRP',
			indexer: 'Indexer (Prowlarr)',
			size: 1_500_000_000,
			indexerFlags: [],
			releaseType: 'singleEpisode'
		},
		isUpgrade: upgrade !== null,
		downloadClient: 'SABnzbd',
		downloadClientType: 'SABnzbd',
		downloadId: 'SABnzbd_nzo_abc123',
		...(upgrade
			? {
					deletedFiles: [
						{
							...webhookEpisodeFile(upgrade.oldFileId, 'HDTV-720p'),
							recycleBinPath: '/recycle/Episode.mkv'
						}
					]
				}
			: {}),
		customFormatInfo
	};
}

/** WebhookEpisodeDeletePayload (On Episode File Delete). */
export function sonarrEpisodeFileDelete(s: SeriesRef, episodes: EpisodeRef[], fileId: number) {
	return {
		eventType: 'EpisodeFileDelete',
		instanceName: 'Sonarr',
		applicationUrl: APP_URL,
		series: webhookSeries(s),
		episodes: episodes.map(webhookEpisode),
		episodeFile: webhookEpisodeFile(fileId),
		deleteReason: 'manual'
	};
}

/** WebhookSeriesDeletePayload (On Series Delete). */
export function sonarrSeriesDelete(s: SeriesRef) {
	return {
		eventType: 'SeriesDelete',
		instanceName: 'Sonarr',
		applicationUrl: APP_URL,
		series: webhookSeries(s),
		deletedFiles: true
	};
}

/** WebhookRenamePayload (On Rename). */
export function sonarrRename(s: SeriesRef, fileId: number) {
	return {
		eventType: 'Rename',
		instanceName: 'Sonarr',
		applicationUrl: APP_URL,
		series: webhookSeries(s),
		renamedEpisodeFiles: [
			{
				...webhookEpisodeFile(fileId),
				previousRelativePath: 'Season 01/old name.mkv',
				previousPath: '/tv/Show/Season 01/old name.mkv'
			}
		]
	};
}

export interface MovieRef {
	id: number;
	title: string;
	year: number;
	tmdbId: number;
}

function webhookMovie(m: MovieRef) {
	return {
		id: m.id,
		title: m.title,
		year: m.year,
		filePath: `/movies/${m.title} (${m.year})/${m.title}.mkv`,
		releaseDate: `${m.year}-06-01`,
		folderPath: `/movies/${m.title} (${m.year})`,
		tmdbId: m.tmdbId,
		imdbId: 'tt0000002',
		overview: 'A movie.',
		genres: ['Action'],
		images: [
			{ coverType: 'poster', url: '/MediaCover/1/poster.jpg', remoteUrl: 'https://x/p.jpg' }
		],
		tags: [],
		originalLanguage: { id: 1, name: 'English' }
	};
}

function webhookMovieFile(id: number, quality = 'Bluray-1080p') {
	return {
		id,
		relativePath: `Movie ${id}.mkv`,
		path: `/movies/Movie/Movie ${id}.mkv`,
		quality,
		qualityVersion: 1,
		releaseGroup: 'GRP',
		sceneName: 'Movie.2020.1080p.BluRay-GRP',
		indexerFlags: '0',
		size: 8_000_000_000,
		dateAdded: '2026-12-01T10:00:00Z',
		languages: [{ id: 1, name: 'English' }]
	};
}

const remoteMovie = (m: MovieRef) => ({
	tmdbId: m.tmdbId,
	imdbId: 'tt0000002',
	title: m.title,
	year: m.year
});

/** Radarr's Test payload, exactly as WebhookBase.BuildTestPayload builds it. */
export function radarrTest() {
	return {
		eventType: 'Test',
		instanceName: 'Radarr',
		applicationUrl: 'http://nas:7878',
		movie: {
			id: 1,
			title: 'Test Title',
			year: 1970,
			releaseDate: '1970-01-01',
			folderPath: 'C:\\testpath',
			tmdbId: 0,
			tags: ['test-tag']
		},
		remoteMovie: { tmdbId: 1234, imdbId: '5678', title: 'Test title', year: 1970 },
		release: {
			quality: 'Test Quality',
			qualityVersion: 1,
			releaseGroup: 'Test Group',
			releaseTitle: 'Test Title',
			indexer: 'Test Indexer',
			size: 9999999,
			customFormatScore: 0
		}
	};
}

/** WebhookGrabPayload (On Grab). */
export function radarrGrab(m: MovieRef) {
	return {
		eventType: 'Grab',
		instanceName: 'Radarr',
		applicationUrl: 'http://nas:7878',
		movie: webhookMovie(m),
		remoteMovie: remoteMovie(m),
		release: {
			quality: 'Bluray-1080p',
			qualityVersion: 1,
			releaseGroup: 'GRP',
			releaseTitle: 'Movie.2020.1080p.BluRay-GRP',
			indexer: 'Indexer (Prowlarr)',
			size: 8_000_000_000,
			customFormatScore: 0,
			customFormats: [],
			languages: [{ id: 1, name: 'English' }],
			indexerFlags: []
		},
		downloadClient: 'qBittorrent',
		downloadClientType: 'qBittorrent',
		downloadId: 'ABCDEF0123456789',
		customFormatInfo
	};
}

/** WebhookImportPayload (On File Import / On File Upgrade). */
export function radarrDownload(m: MovieRef, fileId: number, upgrade: { oldFileId: number } | null) {
	return {
		eventType: 'Download',
		instanceName: 'Radarr',
		applicationUrl: 'http://nas:7878',
		movie: webhookMovie(m),
		remoteMovie: remoteMovie(m),
		movieFile: { ...webhookMovieFile(fileId), sourcePath: '/downloads/Movie.2020' },
		isUpgrade: upgrade !== null,
		downloadClient: 'qBittorrent',
		downloadClientType: 'qBittorrent',
		downloadId: 'ABCDEF0123456789',
		...(upgrade
			? {
					deletedFiles: [
						{
							...webhookMovieFile(upgrade.oldFileId, 'HDTV-720p'),
							recycleBinPath: '/recycle/x.mkv'
						}
					]
				}
			: {}),
		customFormatInfo,
		release: {
			releaseTitle: 'Movie.2020.1080p.BluRay-GRP',
			indexer: 'Indexer (Prowlarr)',
			size: 8_000_000_000,
			indexerFlags: []
		}
	};
}

/** WebhookMovieFileDeletePayload (On Movie File Delete). */
export function radarrMovieFileDelete(m: MovieRef, fileId: number) {
	return {
		eventType: 'MovieFileDelete',
		instanceName: 'Radarr',
		applicationUrl: 'http://nas:7878',
		movie: webhookMovie(m),
		movieFile: webhookMovieFile(fileId),
		deleteReason: 'manual'
	};
}

/** WebhookMovieDeletePayload (On Movie Delete). */
export function radarrMovieDelete(m: MovieRef) {
	return {
		eventType: 'MovieDelete',
		instanceName: 'Radarr',
		applicationUrl: 'http://nas:7878',
		movie: webhookMovie(m),
		deletedFiles: true,
		movieFolderSize: 8_000_000_000
	};
}

/** WebhookRenamePayload (On Rename). */
export function radarrRename(m: MovieRef, fileId: number) {
	return {
		eventType: 'Rename',
		instanceName: 'Radarr',
		applicationUrl: 'http://nas:7878',
		movie: webhookMovie(m),
		renamedMovieFiles: [
			{
				...webhookMovieFile(fileId),
				previousRelativePath: 'old name.mkv',
				previousPath: '/movies/Movie/old name.mkv'
			}
		]
	};
}
