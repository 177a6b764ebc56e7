/**
 * Local receivers for outgoing notifications: a real HTTP server and a real SMTP server on
 * 127.0.0.1 (port 0), recording exactly what arrived so tests can check the wire format.
 *
 * HTTP: `startHttpReceiver()` records method, path (with query), lower-cased headers and the raw
 * body of every request, and answers with the queued replies in order (`reply(...)`), then with
 * the default one (200, empty body). A reply may set status, headers, body and a delay in ms.
 *
 * SMTP: `startSmtpReceiver()` runs `smtp-server` without TLS (STARTTLS is not offered), with
 * authentication optional (or required with `{ users }`), and records each message's envelope,
 * its `From`/`To`/`Subject` headers and its text and HTML parts (quoted-printable and base64
 * decoded). `rejectRecipients` answers RCPT TO with the given reply code to test failures.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerSession } from 'smtp-server';

export interface RecordedRequest {
	method: string;
	/** Path and query as sent (`/bot123:abc/sendMessage`, `/hook?wait=true`). */
	path: string;
	/** Header names lower-cased. */
	headers: Record<string, string>;
	/** The raw body bytes, and the same as UTF-8 text. */
	bytes: Uint8Array;
	body: string;
	/** The body parsed as JSON (undefined when it is not JSON). */
	json: unknown;
}

export interface Reply {
	/** Default 200. */
	status?: number;
	headers?: Record<string, string>;
	/** A string is sent as is; anything else as JSON. Default empty. */
	body?: unknown;
	/** Wait this long (ms) before answering. */
	delayMs?: number;
}

export interface HttpReceiver {
	/** `http://127.0.0.1:<port>` (no trailing slash). */
	url: string;
	port: number;
	requests: RecordedRequest[];
	/** Queues replies, used in order for the next requests. */
	reply(...replies: Reply[]): void;
	/** Sets the reply used when the queue is empty. */
	setDefault(reply: Reply): void;
	/** Forgets recorded requests and queued replies; the default goes back to 200 empty. */
	reset(): void;
	close(): Promise<void>;
}

/** Starts an HTTP receiver on 127.0.0.1 at a free port. */
export function startHttpReceiver(defaultReply: Reply = {}): HttpReceiver {
	const requests: RecordedRequest[] = [];
	const queue: Reply[] = [];
	let fallback = defaultReply;
	const server = Bun.serve({
		hostname: '127.0.0.1',
		port: 0,
		// Delayed answers are part of the tests; do not let Bun close the connection first.
		idleTimeout: 0,
		async fetch(request) {
			const url = new URL(request.url);
			const bytes = new Uint8Array(await request.arrayBuffer());
			const body = new TextDecoder().decode(bytes);
			let json: unknown;
			try {
				json = JSON.parse(body) as unknown;
			} catch {
				json = undefined;
			}
			const headers: Record<string, string> = {};
			request.headers.forEach((value, name) => {
				headers[name.toLowerCase()] = value;
			});
			requests.push({
				method: request.method,
				path: url.pathname + url.search,
				headers,
				bytes,
				body,
				json
			});
			const reply = queue.shift() ?? fallback;
			if (reply.delayMs) await Bun.sleep(reply.delayMs);
			const text =
				reply.body === undefined
					? ''
					: typeof reply.body === 'string'
						? reply.body
						: JSON.stringify(reply.body);
			const responseHeaders = new Headers(reply.headers);
			if (
				typeof reply.body !== 'string' &&
				reply.body !== undefined &&
				!responseHeaders.has('content-type')
			) {
				responseHeaders.set('content-type', 'application/json');
			}
			return new Response(text, { status: reply.status ?? 200, headers: responseHeaders });
		}
	});
	const port = server.port!;
	return {
		url: `http://127.0.0.1:${port}`,
		port,
		requests,
		reply: (...replies) => {
			queue.push(...replies);
		},
		setDefault: (reply) => {
			fallback = reply;
		},
		reset: () => {
			requests.length = 0;
			queue.length = 0;
			fallback = defaultReply;
		},
		close: () => server.stop(true)
	};
}

/** A port nothing listens on (bound once, then released). */
export async function closedPort(): Promise<number> {
	const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('') });
	const port = server.port!;
	await server.stop(true);
	return port;
}

export interface ReceivedMail {
	envelope: { from: string; to: string[] };
	/** The authenticated user, or null. */
	user: string | null;
	/** Header values as in the message (unfolded), names lower-cased. */
	headers: Record<string, string>;
	from: string;
	to: string;
	subject: string;
	text: string;
	html: string;
	raw: string;
}

export interface SmtpReceiver {
	host: '127.0.0.1';
	port: number;
	messages: ReceivedMail[];
	/** Answer RCPT TO with this reply code (e.g. 451, 550); null accepts. */
	rejectRecipients(code: number | null): void;
	reset(): void;
	close(): Promise<void>;
}

export interface SmtpReceiverOptions {
	/** When set, AUTH is required and these username → password pairs are accepted. */
	users?: Record<string, string>;
}

/** Starts an SMTP server on 127.0.0.1 at a free port (no TLS). */
export async function startSmtpReceiver(options: SmtpReceiverOptions = {}): Promise<SmtpReceiver> {
	const messages: ReceivedMail[] = [];
	let reject: number | null = null;
	const server = new SMTPServer({
		secure: false,
		disabledCommands: ['STARTTLS'],
		authOptional: options.users === undefined,
		allowInsecureAuth: true,
		logger: false,
		onAuth(auth: SMTPServerAuthentication, _session: SMTPServerSession, callback) {
			const expected = options.users?.[auth.username ?? ''];
			if (expected !== undefined && expected === auth.password) {
				callback(null, { user: auth.username });
			} else {
				callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
			}
		},
		onRcptTo(_address, _session, callback) {
			if (reject === null) {
				callback();
			} else {
				callback(
					Object.assign(new Error(`Recipient refused (${reject})`), { responseCode: reject })
				);
			}
		},
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			stream.on('end', () => {
				const raw = Buffer.concat(chunks).toString('utf8');
				messages.push(parseMail(raw, session));
				callback();
			});
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const port = (server.server.address() as AddressInfo).port;
	return {
		host: '127.0.0.1',
		port,
		messages,
		rejectRecipients: (code) => {
			reject = code;
		},
		reset: () => {
			messages.length = 0;
			reject = null;
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
}

/** Splits a MIME entity into unfolded headers (names lower-cased) and its body. */
function splitEntity(raw: string): { headers: Record<string, string>; body: string } {
	const normalised = raw.replace(/\r\n/g, '\n');
	const end = normalised.indexOf('\n\n');
	const head = end === -1 ? normalised : normalised.slice(0, end);
	const body = end === -1 ? '' : normalised.slice(end + 2);
	const headers: Record<string, string> = {};
	for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
		const colon = line.indexOf(':');
		if (colon > 0) {
			headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
		}
	}
	return { headers, body };
}

/** Decodes RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`). */
function decodeWords(value: string): string {
	return value
		.replace(/\?=\s+=\?/g, '?==?')
		.replace(
			/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g,
			(_all, _charset: string, kind: string, text: string) =>
				kind.toUpperCase() === 'B'
					? Buffer.from(text, 'base64').toString('utf8')
					: decodeQuotedPrintable(text.replaceAll('_', ' '))
		);
}

function decodeQuotedPrintable(text: string): string {
	const bytes = text
		.replace(/=\n/g, '')
		.replace(/=([0-9A-Fa-f]{2})/g, (_all, hex: string) => String.fromCharCode(parseInt(hex, 16)));
	return Buffer.from(bytes, 'latin1').toString('utf8');
}

function decodeBody(headers: Record<string, string>, body: string): string {
	const encoding = (headers['content-transfer-encoding'] ?? '').toLowerCase();
	if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
	if (encoding === 'base64') {
		return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
	}
	return body;
}

/** The leaf parts of a MIME entity, each with its content type and decoded text. */
function leafParts(raw: string): { type: string; text: string }[] {
	const { headers, body } = splitEntity(raw);
	const contentType = headers['content-type'] ?? 'text/plain';
	const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
	if (contentType.toLowerCase().startsWith('multipart/') && boundary) {
		return body
			.split(`--${boundary}`)
			.slice(1)
			.filter((part) => !part.startsWith('--'))
			.flatMap((part) => leafParts(part.replace(/^\n/, '')));
	}
	const type = contentType.split(';')[0]!.trim().toLowerCase();
	return [{ type, text: decodeBody(headers, body).replace(/\n+$/, '') }];
}

function parseMail(raw: string, session: SMTPServerSession): ReceivedMail {
	const { headers } = splitEntity(raw);
	const parts = leafParts(raw);
	const envelopeFrom = session.envelope.mailFrom;
	return {
		envelope: {
			from: envelopeFrom ? envelopeFrom.address : '',
			to: session.envelope.rcptTo.map((address) => address.address)
		},
		user: typeof session.user === 'string' ? session.user : null,
		headers,
		from: decodeWords(headers.from ?? ''),
		to: decodeWords(headers.to ?? ''),
		subject: decodeWords(headers.subject ?? ''),
		text: parts.find((part) => part.type === 'text/plain')?.text ?? '',
		html: parts.find((part) => part.type === 'text/html')?.text ?? '',
		raw
	};
}
