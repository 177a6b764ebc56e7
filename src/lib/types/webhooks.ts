/**
 * What the connector page shows about its webhook (never the secret: that exists only in the
 * answer of the action that generated it).
 */
export interface WebhookSetupData {
	/** Where the app posts: origin + BASE_URL + `/webhooks/{id}`. */
	url: string;
	/** True once a secret was generated. */
	configured: boolean;
	/** When the current secret was generated. */
	createdAt: Date | null;
}

/** The answer of generating a secret (page action and `POST /api/v1/connectors/{id}/webhook`). */
export interface WebhookSecretAnswer {
	url: string;
	secret: string;
}
