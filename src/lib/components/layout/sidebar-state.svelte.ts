import { createContext } from 'svelte';

const STORAGE_KEY = 'comradarr:sidebar-collapsed';

/** Open/collapsed state of the app sidebar, shared by the shell's header and sidebar through context. */
export class SidebarState {
	/** Desktop: the sidebar shows icons only. Remembered in localStorage. */
	collapsed = $state(false);
	/** Mobile: the navigation sheet is open. */
	mobileOpen = $state(false);

	/** Reads the remembered desktop state; call once in the browser (onMount). */
	restore(): void {
		try {
			this.collapsed = localStorage.getItem(STORAGE_KEY) === 'true';
		} catch {
			// Storage can be unavailable (privacy modes, blocked cookies); the sidebar then starts expanded.
		}
	}

	toggleCollapsed = (): void => {
		this.collapsed = !this.collapsed;
		try {
			localStorage.setItem(STORAGE_KEY, String(this.collapsed));
		} catch {
			// Not remembering a UI preference is harmless; the toggle still works for this page view.
		}
	};
}

const [getSidebarState, setSidebarState] = createContext<SidebarState>();

export { getSidebarState, setSidebarState };
