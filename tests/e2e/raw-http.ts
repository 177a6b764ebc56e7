/**
 * Requests whose path reaches the server byte for byte (`node:http`; fetch and Playwright's
 * request context normalise `/./`, `..` and some escapes before sending), one fresh connection
 * each, for the attack specs.
 */
import http from 'node:http';
import { APP } from './helpers';

export interface RawAnswer {
	status: number;
	location: string | undefined;
	headers: http.IncomingHttpHeaders;
	body: string;
}

/**
 * Sends `method rawPath` to the app (or to `origin`) and reads the whole answer.
 * @param options.localAddress source address on loopback (127.0.0.2 … to be another client)
 */
export function rawRequest(
	method: string,
	rawPath: string,
	options: {
		headers?: Record<string, string>;
		body?: string | undefined;
		origin?: string;
		localAddress?: string;
	} = {}
): Promise<RawAnswer> {
	const { hostname, port } = new URL(options.origin ?? APP);
	return new Promise<RawAnswer>((resolve, reject) => {
		const req = http.request(
			{
				host: hostname,
				port,
				method,
				path: rawPath,
				// A fresh connection per request: one answer can never be read as another's.
				agent: false,
				headers: { ...options.headers, connection: 'close' },
				...(options.localAddress ? { localAddress: options.localAddress } : {})
			},
			(res) => {
				let body = '';
				res.setEncoding('utf8');
				res.on('data', (chunk: string) => (body += chunk));
				res.on('end', () =>
					resolve({
						status: res.statusCode ?? 0,
						location: res.headers.location,
						headers: res.headers,
						body
					})
				);
			}
		);
		req.on('error', reject);
		req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${rawPath}: timed out`)));
		if (options.body !== undefined) req.write(options.body);
		req.end();
	});
}
