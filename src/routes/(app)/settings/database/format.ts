import type { BackupFormat } from '$lib/types/database';

/** Byte sizes for people: "512 B", "8.0 KB", "1.4 GB" (binary units, one decimal). */
export function formatBytes(bytes: number | null | undefined): string {
	if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
	if (bytes < 1024) return `${bytes} B`;
	const units = ['KB', 'MB', 'GB', 'TB'];
	let value = bytes / 1024;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return `${value.toFixed(1)} ${units[unit]}`;
}

/** How the page names a backup format (`BackupFormat`). */
export const FORMAT: Record<BackupFormat, string> = {
	pg_dump: 'pg_dump',
	builtin: 'Built-in'
};
