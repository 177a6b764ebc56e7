/**
 * Process metrics: prom-client's `collectDefaultMetrics` with the `comradarr_` prefix, minus those
 * that report nothing or nonsense under Bun (checked with Bun 1.4.5, prom-client 15.1.3):
 * - `process_heap_bytes`: prom-client reads `VmData` from /proc, which under JavaScriptCore is
 *   the gigacage's reserved address space (6+ GB in a 50 MB process), not a heap;
 * - `nodejs_heap_size_total_bytes`: Bun's `memoryUsage().heapTotal` is at or below `heapUsed`
 *   (JSC has no V8-style committed heap). prom-client sets `nodejs_heap_size_used_bytes` and
 *   `nodejs_external_memory_bytes` from that metric's collect, so those two are replaced by
 *   gauges of the same names read here from `process.memoryUsage()`;
 * - `nodejs_heap_space_size_{total,used,available}_bytes`: V8 heap spaces; JSC reports them all 0
 *   but "old";
 * - `nodejs_active_{resources,handles,requests}` and their `_total`s: always 0 under Bun, even with
 *   timers, sockets and a server open (`process.getActiveResourcesInfo()` is empty);
 * - `nodejs_gc_duration_seconds`: Bun emits no `gc` performance entries, so it never observes;
 * - `nodejs_version_info`: Bun's Node-compatibility version (v26…), not a Node the app runs on;
 *   `comradarr_build_info` names the Bun version instead.
 * Kept: CPU seconds, start time, resident and virtual memory, open and max file descriptors, the
 * event-loop lag gauges (`perf_hooks.monitorEventLoopDelay` works under Bun: a 250 ms block shows
 * as max ≈ 0.26 s; `nodejs_eventloop_lag_seconds` is measured just after each scrape, so it reads
 * 0 on the first), used heap and external memory.
 */
import { collectDefaultMetrics, Gauge, Registry, type Metric } from 'prom-client';
import { APP_VERSION } from '../../config';

export const METRIC_PREFIX = 'comradarr_';

/** Default metrics left out, without the prefix (see the module comment for why). */
export const DROPPED_DEFAULT_METRICS = [
	'process_heap_bytes',
	'nodejs_heap_size_total_bytes',
	'nodejs_heap_space_size_total_bytes',
	'nodejs_heap_space_size_used_bytes',
	'nodejs_heap_space_size_available_bytes',
	'nodejs_active_resources',
	'nodejs_active_resources_total',
	'nodejs_active_handles',
	'nodejs_active_handles_total',
	'nodejs_active_requests',
	'nodejs_active_requests_total',
	'nodejs_gc_duration_seconds',
	'nodejs_version_info'
] as const;

/** Default metrics whose values prom-client sets from a dropped one: replaced by our own gauges. */
const REPLACED_DEFAULT_METRICS = ['nodejs_heap_size_used_bytes', 'nodejs_external_memory_bytes'];

interface Holder {
	metrics?: Metric[];
}

const holder: Holder = ((
	globalThis as { __comradarrProcessMetrics?: Holder }
).__comradarrProcessMetrics ??= {});

/**
 * The process metrics, created once per process (the event-loop monitor runs from then on) and
 * shared by every registry that registers them.
 */
export function processMetrics(): Metric[] {
	if (!holder.metrics) {
		const scratch = new Registry();
		collectDefaultMetrics({ register: scratch, prefix: METRIC_PREFIX });
		for (const name of [...DROPPED_DEFAULT_METRICS, ...REPLACED_DEFAULT_METRICS]) {
			scratch.removeSingleMetric(METRIC_PREFIX + name);
		}
		const build = new Gauge({
			name: `${METRIC_PREFIX}build_info`,
			help: 'Always 1: the Comradarr version and the Bun version this process runs.',
			labelNames: ['version', 'bun_version'] as const,
			registers: []
		});
		build.set(
			{ version: APP_VERSION, bun_version: typeof Bun === 'undefined' ? 'none' : Bun.version },
			1
		);
		const heapUsed = new Gauge({
			name: `${METRIC_PREFIX}nodejs_heap_size_used_bytes`,
			help: 'JavaScript heap in use, bytes (process.memoryUsage().heapUsed).',
			registers: [],
			collect() {
				this.set(process.memoryUsage().heapUsed);
			}
		});
		const external = new Gauge({
			name: `${METRIC_PREFIX}nodejs_external_memory_bytes`,
			help: 'Memory of objects outside the JavaScript heap bound to it (buffers), bytes.',
			registers: [],
			collect() {
				this.set(process.memoryUsage().external);
			}
		});
		const kept = scratch
			.getMetricsAsArray()
			.flatMap(({ name }) => scratch.getSingleMetric(name) ?? []);
		holder.metrics = [...kept, heapUsed, external, build];
	}
	return holder.metrics;
}
