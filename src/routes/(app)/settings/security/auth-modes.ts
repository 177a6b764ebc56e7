import type { AuthMode } from '$lib/schemas/settings';

/** What each authentication mode means, in the words the Security page uses. */
export const AUTH_MODE_TEXT: Record<AuthMode, { label: string; description: string }> = {
	full: {
		label: 'Full',
		description:
			'Every visitor logs in with the username and password; scripts use an API key. The safe default.'
	},
	local_bypass: {
		label: 'Local network bypass',
		description:
			'Devices on your home network (loopback and private addresses: 10.x, 172.16–31.x, 192.168.x, fc00::/7) get in without logging in; everyone else logs in. Decided on the connection’s own address, never on headers unless they come from TRUSTED_PROXIES.'
	},
	proxy_header: {
		label: 'Trusted reverse-proxy header',
		description:
			'A reverse proxy that signs users in (Authelia, Authentik, oauth2-proxy) names the user in a header such as Remote-User. The header is believed only from the addresses in TRUSTED_PROXIES.'
	},
	disabled: {
		label: 'Disabled',
		description:
			'No authentication at all: anyone who can reach Comradarr can use it, change its settings and create API keys. Only for a machine nobody else can reach.'
	}
};

/** The warning shown while local-network bypass is selected or stored. */
export const LOCAL_BYPASS_WARNING =
	'Local network bypass trusts every device on your LAN: any phone, smart TV, guest or compromised device on the network can use Comradarr, change its settings and create API keys without a password.';
