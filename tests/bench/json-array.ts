/**
 * Benchmark (not part of `npm test`): reading a large JSON array as it streams. The body is the
 * simulator's Radarr `GET /api/v3/movie` (50,000 movies by default, about 94 MB), cut into 64 KB
 * chunks as a socket delivers it. Compares, per reader, the time to give every element:
 * - `JSON.parse` of the whole body (the lower bound, but it holds the body and every value);
 * - `@streamparser/json`'s `JSONParser` (`$.*`, no stack kept, buffered strings);
 * - `@streamparser/json`'s `Tokenizer` alone (tokens only, no values built);
 * - `jsonArrayElements` (src/lib/server/connectors/common/json-array-stream.ts), what sync uses.
 *
 *   bun tests/bench/json-array.ts [--movies 50000] [--rounds 3] [--append]
 *
 * Prints the best and worst of `rounds` runs per reader; `--append` adds them to RESULTS.md.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { JSONParser, Tokenizer } from '@streamparser/json';
import { startSimulator } from '../arr-sim';
import { jsonArrayElements } from '../../src/lib/server/connectors/common/json-array-stream';
import { appendResults } from './library';

const { values } = parseArgs({
	options: {
		movies: { type: 'string', default: '50000' },
		rounds: { type: 'string', default: '3' },
		append: { type: 'boolean', default: false }
	}
});
const movies = Number(values.movies);
const rounds = Number(values.rounds);
const KEY = 'b'.repeat(32);

const sim = await startSimulator({
	instances: [{ type: 'radarr', urlBase: '/radarr', apiKey: KEY, movies, seed: 1 }]
});
const res = await fetch(`${sim.instance('/radarr').baseUrl}/api/v3/movie`, {
	headers: { 'X-Api-Key': KEY }
});
const body = new Uint8Array(await res.arrayBuffer());
await sim.stop();
const CHUNK = 64 * 1024;
const chunks: Uint8Array[] = [];
for (let i = 0; i < body.length; i += CHUNK) chunks.push(body.subarray(i, i + CHUNK));

const readers: Record<string, () => number> = {
	'JSON.parse, whole body': () => (JSON.parse(new TextDecoder().decode(body)) as unknown[]).length,
	'@streamparser/json JSONParser': () => {
		let n = 0;
		const parser = new JSONParser({
			paths: ['$.*'],
			keepStack: false,
			stringBufferSize: 64 * 1024,
			numberBufferSize: 64
		});
		parser.onValue = () => void n++;
		for (const c of chunks) parser.write(c);
		return n;
	},
	'@streamparser/json Tokenizer only': () => {
		let depth = 0;
		let n = 0;
		const tokenizer = new Tokenizer({ stringBufferSize: 64 * 1024, numberBufferSize: 64 });
		tokenizer.onToken = ({ token }) => {
			// 0 {  1 }  2 [  3 ]
			if (token === 0 || token === 2) depth++;
			else if ((token === 1 || token === 3) && --depth === 1) n++;
		};
		for (const c of chunks) tokenizer.write(c);
		return n;
	},
	jsonArrayElements: () => {
		let n = 0;
		const reader = jsonArrayElements(() => void n++);
		for (const c of chunks) reader.write(c);
		reader.end();
		return n;
	}
};

const lines: string[] = [];
for (const [name, read] of Object.entries(readers)) {
	const times: number[] = [];
	for (let r = 0; r < rounds; r++) {
		const started = performance.now();
		const n = read();
		times.push(performance.now() - started);
		if (n !== movies) throw new Error(`${name} gave ${n} elements, expected ${movies}`);
	}
	const line = `| ${name} | ${Math.min(...times).toFixed(0)} ms | ${Math.max(...times).toFixed(0)} ms |`;
	lines.push(line);
	console.log(line);
}

if (values.append) {
	const cpu = os.cpus();
	const commit = Bun.spawnSync(['git', 'rev-parse', '--short', 'HEAD']).stdout.toString().trim();
	const date = new Date().toISOString().slice(0, 10);
	const load = os
		.loadavg()
		.map((l) => l.toFixed(2))
		.join(' / ');
	appendResults(
		`\n## Streaming a JSON array — ${date}, commit ${commit}\n\n${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, Bun ${Bun.version}, load average ${load}. Radarr \`/movie\` of ${movies} movies (${(body.length / 1024 / 1024).toFixed(0)} MB) in 64 KB chunks, best and worst of ${rounds} (\`bun tests/bench/json-array.ts --movies ${movies}\`).\n\n| reader | best | worst |\n| ------ | ---- | ----- |\n${lines.join('\n')}\n`
	);
}
process.exit(0);
