/**
 * Email: one message over SMTP with nodemailer.
 *
 * Transport from https://nodemailer.com/smtp : `host`, `port`, `secure` (true: TLS from the
 * start, port 465; false: STARTTLS when the server offers it, 587 or 25), `auth {user, pass}`
 * when a username is set, and `connectionTimeout` / `greetingTimeout` / `socketTimeout` set to
 * the attempt's timeout. Message fields from https://nodemailer.com/message : `from`, `to` (a
 * comma-separated list is fine), `subject` = the title, a `text` part (body, fields as
 * `name: value` lines, the link) and a simple `html` part with every value HTML-escaped.
 * File and URL access of the message composer are off (nothing in a message may make the
 * server read a file or fetch a URL).
 *
 * The SMTP host passes the same address guard as every HTTP channel, and nodemailer connects
 * to the checked address (with the host name as TLS server name), so DNS rebinding cannot move
 * the connection. SMTP reply codes (RFC 5321 §4.2.1) are the `responseCode`: 4yz is transient
 * (retryable), 5yz permanent (not); connection failures and timeouts are retryable, a refused
 * login is not. The password never appears in an error sentence.
 */
import { createTransport } from 'nodemailer';
import type { Resolver } from '$lib/server/connectors/common/address-guard';
import type { NotificationMessage } from '$lib/types/notifications';
import {
	checkHostname,
	DEFAULT_TIMEOUT_MS,
	failure,
	redact,
	requiredString,
	truncate
} from './http';
import type { ChannelSender, SendOptions, SendResult } from './types';

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
	return text
		.replaceAll('&', '&amp;')
		.replaceAll('<', '&lt;')
		.replaceAll('>', '&gt;')
		.replaceAll('"', '&quot;')
		.replaceAll("'", '&#39;');
}

/** The text and HTML parts of the mail for `message`. */
export function emailParts(message: NotificationMessage): { text: string; html: string } {
	const text = [
		message.body,
		message.fields.map((field) => `${field.name}: ${field.value}`).join('\n'),
		message.url ? `Open in Comradarr: ${message.url}` : '',
		`Comradarr · ${message.eventType} · ${message.timestamp}`
	]
		.filter((part) => part.trim() !== '')
		.join('\n\n');
	const e = escapeHtml;
	const html = [
		'<!doctype html><html><body style="font-family:sans-serif">',
		`<h2>${e(message.title)}</h2>`,
		message.body.trim() === '' ? '' : `<p style="white-space:pre-wrap">${e(message.body)}</p>`,
		message.fields.length === 0
			? ''
			: `<table>${message.fields
					.map(
						(field) => `<tr><th align="left">${e(field.name)}</th><td>${e(field.value)}</td></tr>`
					)
					.join('')}</table>`,
		message.url ? `<p><a href="${e(message.url)}">Open in Comradarr</a></p>` : '',
		`<p style="color:#666;font-size:12px">Comradarr · ${e(message.eventType)} · ${e(message.timestamp)}</p>`,
		'</body></html>'
	].join('');
	return { text, html };
}

/** The three-digit reply code at the start of an SMTP answer ("250 2.0.0 OK"), or null. */
function replyCode(response: unknown): number | null {
	if (typeof response !== 'string') return null;
	const match = /^(\d{3})[\s-]/.exec(response);
	return match ? Number(match[1]) : null;
}

/** nodemailer error codes of a connection that failed or stalled (worth another attempt). */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS']);

/** Classifies a nodemailer error as a delivery result. */
function smtpFailure(
	error: unknown,
	label: string,
	secrets: readonly (string | undefined)[]
): SendResult {
	const e = (error && typeof error === 'object' ? error : {}) as {
		code?: unknown;
		responseCode?: unknown;
		response?: unknown;
		message?: unknown;
	};
	const code = typeof e.code === 'string' ? e.code : '';
	const responseCode = typeof e.responseCode === 'number' ? e.responseCode : replyCode(e.response);
	const detail =
		typeof e.response === 'string'
			? e.response
			: typeof e.message === 'string'
				? e.message
				: String(error);
	const sentence = redact(
		`${label}: ${truncate(detail.replace(/\s+/g, ' ').trim(), 200)}${code ? ` (${code})` : ''}`,
		secrets
	);
	if (responseCode !== null && responseCode >= 400 && responseCode < 500) {
		return failure(sentence, true, responseCode);
	}
	if (responseCode !== null && responseCode >= 500) return failure(sentence, false, responseCode);
	return failure(sentence, TRANSIENT_CODES.has(code), responseCode);
}

export function createEmailSender(
	deps: { resolver?: Resolver | undefined } = {}
): ChannelSender<'email'> {
	return {
		type: 'email',
		async send(config, message, options?: SendOptions): Promise<SendResult> {
			const host = requiredString(config.host);
			if (!host) return failure('email: no SMTP host configured', false);
			const from = requiredString(config.from);
			const to = requiredString(config.to);
			if (!from) return failure('email: no sender address configured', false);
			if (!to) return failure('email: no recipient address configured', false);
			const secure = config.secure === true;
			const port =
				Number.isInteger(config.port) && config.port > 0 && config.port < 65536
					? config.port
					: secure
						? 465
						: 587;
			const label = `SMTP ${host}:${port}`;
			const secrets = [config.password];

			const checked = await checkHostname(host.trim(), label, deps.resolver);
			if ('failure' in checked) return checked.failure;
			const { target } = checked;

			if (options?.signal?.aborted) return failure(`${label}: the attempt was cancelled`, true);
			const timeoutMs = options?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
			const transport = createTransport({
				host: target.addresses[0]!,
				port,
				secure,
				...(config.username
					? { auth: { user: config.username, pass: config.password ?? '' } }
					: {}),
				connectionTimeout: timeoutMs,
				greetingTimeout: timeoutMs,
				socketTimeout: timeoutMs,
				dnsTimeout: timeoutMs,
				// The certificate is checked against the configured name, not the address.
				tls: target.isAddress ? {} : { servername: target.hostname },
				disableFileAccess: true,
				disableUrlAccess: true
			});
			const { text, html } = emailParts(message);
			let onAbort: (() => void) | undefined;
			let timer: ReturnType<typeof setTimeout> | undefined;
			try {
				const stopped = new Promise<SendResult>((resolve) => {
					onAbort = () => resolve(failure(`${label}: the attempt was cancelled`, true));
					options?.signal?.addEventListener('abort', onAbort, { once: true });
					// Each nodemailer timeout is per phase; this bounds the whole attempt.
					timer = setTimeout(
						() => resolve(failure(`${label}: no answer within ${timeoutMs} ms`, true)),
						timeoutMs
					);
				});
				const sent = transport.sendMail({ from, to, subject: message.title, text, html }).then(
					(info): SendResult => ({
						ok: true,
						responseCode: replyCode(info.response) ?? 250,
						error: null,
						retryable: false
					}),
					(error: unknown) => smtpFailure(error, label, secrets)
				);
				return await Promise.race([sent, stopped]);
			} catch (error) {
				return smtpFailure(error, label, secrets);
			} finally {
				clearTimeout(timer);
				if (onAbort) options?.signal?.removeEventListener('abort', onAbort);
				transport.close();
			}
		}
	};
}
