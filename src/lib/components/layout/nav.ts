import type { LucideIcon } from '@lucide/svelte';
import type { Pathname } from '$app/types';
import ChartLineIcon from '@lucide/svelte/icons/chart-line';
import LibraryIcon from '@lucide/svelte/icons/library';
import HistoryIcon from '@lucide/svelte/icons/history';
import LayoutDashboardIcon from '@lucide/svelte/icons/layout-dashboard';
import CalendarClockIcon from '@lucide/svelte/icons/calendar-clock';
import ListOrderedIcon from '@lucide/svelte/icons/list-ordered';
import PlugIcon from '@lucide/svelte/icons/plug';
import ScrollTextIcon from '@lucide/svelte/icons/scroll-text';
import SettingsIcon from '@lucide/svelte/icons/settings';

export interface NavItem {
	/** Label in the sidebar and the header's page title. */
	title: string;
	/**
	 * App path (resolved with the base path when rendered); active on it and everything below.
	 * Listed by name: resolve() cannot take a union of every app path at once. Add new top-level
	 * sections here.
	 */
	href: Pathname &
		`/${'dashboard' | 'content' | 'analytics' | 'connectors' | 'queue' | 'schedules' | 'history' | 'logs' | 'settings'}`;
	icon: LucideIcon;
}

/**
 * The main navigation, in sidebar order. Settings' own sections are listed in `$lib/components/settings/sections.ts`.
 */
export const nav: readonly NavItem[] = [
	{ title: 'Dashboard', href: '/dashboard', icon: LayoutDashboardIcon },
	{ title: 'Content', href: '/content', icon: LibraryIcon },
	{ title: 'Analytics', href: '/analytics', icon: ChartLineIcon },
	{ title: 'Connectors', href: '/connectors', icon: PlugIcon },
	{ title: 'Queue', href: '/queue', icon: ListOrderedIcon },
	{ title: 'Schedules', href: '/schedules', icon: CalendarClockIcon },
	{ title: 'History', href: '/history', icon: HistoryIcon },
	{ title: 'Logs', href: '/logs', icon: ScrollTextIcon },
	{ title: 'Settings', href: '/settings', icon: SettingsIcon }
];

/** Whether `pathname` is `item.href` or a page below it (`/connectors/3/edit` → Connectors). */
export function isNavItemActive(item: NavItem, pathname: string): boolean {
	return pathname === item.href || pathname.startsWith(`${item.href}/`);
}

/** The nav item for `pathname`, preferring the longest matching `href`. */
export function findNavItem(
	pathname: string,
	items: readonly NavItem[] = nav
): NavItem | undefined {
	let best: NavItem | undefined;
	for (const item of items) {
		if (isNavItemActive(item, pathname) && (!best || item.href.length > best.href.length)) {
			best = item;
		}
	}
	return best;
}
