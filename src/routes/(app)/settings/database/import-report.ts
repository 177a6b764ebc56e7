/** The answer of `POST /api/v1/config/import` (services/config-transfer/import.ts `ImportReport`). */
export interface ImportReport {
	dryRun: boolean;
	connectors: { created: string[]; updated: string[]; unchanged: string[]; needsKey: string[] };
	throttleProfiles: { created: string[]; updated: string[]; unchanged: string[] };
	settings: { updated: string[]; unchanged: string[] };
	/** Connectors whose sweep schedules the file replaces, or already matches. */
	schedules: { updated: string[]; unchanged: string[]; count: number };
	skipped: { item: string; reason: string }[];
}

/** "create 2 connectors (A, B)" lines of a report, for people. */
export function reportLines(report: ImportReport): string[] {
	const verb = (done: string, todo: string) => (report.dryRun ? todo : done);
	const list = (names: string[]) => (names.length > 0 ? ` (${names.join(', ')})` : '');
	const lines: string[] = [];
	const add = (count: number, text: string) => {
		if (count > 0) lines.push(text);
	};
	const c = report.connectors;
	add(
		c.created.length,
		`${verb('Created', 'Create')} ${c.created.length} connectors${list(c.created)}`
	);
	add(
		c.updated.length,
		`${verb('Updated', 'Update')} ${c.updated.length} connectors${list(c.updated)}`
	);
	const p = report.throttleProfiles;
	add(
		p.created.length,
		`${verb('Created', 'Create')} ${p.created.length} throttle profiles${list(p.created)}`
	);
	add(
		p.updated.length,
		`${verb('Updated', 'Update')} ${p.updated.length} throttle profiles${list(p.updated)}`
	);
	add(
		report.settings.updated.length,
		`${verb('Updated', 'Update')} the settings: ${report.settings.updated.join(', ')}`
	);
	const s = report.schedules;
	add(
		s.updated.length,
		`${verb('Replaced', 'Replace')} the sweep schedules of ${s.updated.length} connectors${list(s.updated)} with ${s.count} from the file`
	);
	const unchanged =
		c.unchanged.length + p.unchanged.length + report.settings.unchanged.length + s.unchanged.length;
	add(unchanged, `${unchanged} items are already the same and are left as they are`);
	for (const skip of report.skipped) lines.push(`Skip ${skip.item}: ${skip.reason}`);
	if (lines.length === 0) lines.push('Nothing to import.');
	return lines;
}
