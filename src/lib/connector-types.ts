/**
 * The connector types, in one place for the server (database, service, API) and the browser
 * (forms, labels); pure, no server imports. Whisparr covers both lines: v2 (series-shaped) and v3
 * "Eros" (movie-shaped); the connection test tells them apart by version.
 */

/** Every type a stored connector may have (`connectors.type`). */
export const CONNECTOR_TYPES = ['sonarr', 'radarr', 'whisparr'] as const;
export type ConnectorType = (typeof CONNECTOR_TYPES)[number];

/** The types "Add connector" offers (a type may stay stored after the UI stops offering it). */
export const OFFERED_CONNECTOR_TYPES = [
	'sonarr',
	'radarr',
	'whisparr'
] as const satisfies readonly ConnectorType[];
export type OfferedConnectorType = (typeof OFFERED_CONNECTOR_TYPES)[number];

const TYPE_LABELS: Record<string, string> = {
	sonarr: 'Sonarr',
	radarr: 'Radarr',
	whisparr: 'Whisparr'
};

/** Default ports, for the URL placeholder (Sonarr 8989, Radarr 7878, Whisparr 6969). */
const DEFAULT_PORTS: Record<string, number> = { sonarr: 8989, radarr: 7878, whisparr: 6969 };

export interface ConnectorTypeOption<T extends string = string> {
	value: T;
	label: string;
}

/** "sonarr" → "Sonarr"; unknown types are shown as stored. */
export function connectorTypeLabel(type: string): string {
	return TYPE_LABELS[type] ?? type;
}

/** The options of the type select; `current` is added when it is stored but not offered. */
export function connectorTypeOptions<T extends string = OfferedConnectorType>(
	current?: T
): ConnectorTypeOption<OfferedConnectorType | T>[] {
	const values: (OfferedConnectorType | T)[] = [...OFFERED_CONNECTOR_TYPES];
	if (current !== undefined && !values.includes(current)) values.push(current);
	return values.map((value) => ({ value, label: connectorTypeLabel(value) }));
}

/** "Sonarr, Radarr or Whisparr": the offered types in running text. */
export function offeredTypesText(conjunction = 'or'): string {
	const labels = OFFERED_CONNECTOR_TYPES.map(connectorTypeLabel);
	return labels.length < 2
		? labels.join('')
		: `${labels.slice(0, -1).join(', ')} ${conjunction} ${labels.at(-1)}`;
}

/** An example URL on the app's default port: `http://192.168.1.10:8989`. */
export function exampleUrl(type: string): string {
	return `http://192.168.1.10:${DEFAULT_PORTS[type] ?? 8989}`;
}
