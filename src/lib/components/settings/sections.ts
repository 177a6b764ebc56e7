import type { LucideIcon } from '@lucide/svelte';
import type { Pathname } from '$app/types';
import DatabaseIcon from '@lucide/svelte/icons/database';
import GaugeIcon from '@lucide/svelte/icons/gauge';
import InfoIcon from '@lucide/svelte/icons/info';
import BellIcon from '@lucide/svelte/icons/bell';
import KeyRoundIcon from '@lucide/svelte/icons/key-round';
import SearchIcon from '@lucide/svelte/icons/search';
import ShieldIcon from '@lucide/svelte/icons/shield';
import SlidersHorizontalIcon from '@lucide/svelte/icons/sliders-horizontal';

/** One section of the Settings area. */
export interface SettingsSection {
	title: string;
	/** Path below /settings (resolved with the base path when rendered). */
	href: Extract<Pathname, `/settings/${string}`>;
	icon: LucideIcon;
	/** One line under the section's heading. */
	description: string;
}

/**
 * The sections of Settings, in the order of the section menu. Later features (search behaviour,
 * throttle profiles, schedules, notifications) add theirs here.
 */
export const settingsSections: readonly SettingsSection[] = [
	{
		title: 'General',
		href: '/settings/general',
		icon: SlidersHorizontalIcon,
		description: 'Display name, time zone and log level.'
	},
	{
		title: 'Search behaviour',
		href: '/settings/search',
		icon: SearchIcon,
		description: 'What gets searched first: the weights of the priority score.'
	},
	{
		title: 'Throttle profiles',
		href: '/settings/throttle',
		icon: GaugeIcon,
		description:
			'How fast each connector may search: commands per minute, batch size, daily budget.'
	},
	{
		title: 'Notifications',
		href: '/settings/notifications',
		icon: BellIcon,
		description: 'Where Comradarr tells you what happened: channels, filters and the delivery log.'
	},
	{
		title: 'Security',
		href: '/settings/security',
		icon: ShieldIcon,
		description: 'How you sign in, your password and your sessions.'
	},
	{
		title: 'API keys',
		href: '/settings/api-keys',
		icon: KeyRoundIcon,
		description: 'Keys for scripts and integrations that call the JSON API.'
	},
	{
		title: 'Database',
		href: '/settings/database',
		icon: DatabaseIcon,
		description: 'Status, maintenance, backups and configuration export.'
	},
	{
		title: 'About',
		href: '/settings/about',
		icon: InfoIcon,
		description: 'Version, build and links.'
	}
];

/** The section `pathname` belongs to (`/settings/security/…` → Security). */
export function findSettingsSection(
	pathname: string,
	sections: readonly SettingsSection[] = settingsSections
): SettingsSection | undefined {
	return sections.find((s) => pathname === s.href || pathname.startsWith(`${s.href}/`));
}
