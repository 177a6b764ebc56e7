export { default as AppHeader } from './AppHeader.svelte';
export { default as AppLogo } from './AppLogo.svelte';
export { default as AppShell } from './AppShell.svelte';
export { default as AppSidebar } from './AppSidebar.svelte';
export { default as SidebarNav } from './SidebarNav.svelte';
export { default as ThemeToggle } from './ThemeToggle.svelte';
export { default as UserMenu } from './UserMenu.svelte';
export { findNavItem, isNavItemActive, nav, type NavItem } from './nav';
export { getSidebarState, setSidebarState, SidebarState } from './sidebar-state.svelte';
