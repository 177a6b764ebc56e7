/**
 * The recent log lines of this process, kept in memory for the Logs page (issue 12 §5).
 *
 * Bounded twice: at most `maxLines` lines (default 5,000) and at most `maxBytes` bytes of line
 * text (default 5 MiB, counted as UTF-8), whichever is reached first; the oldest lines go. Each
 * line gets a sequence number, increasing by one per line written in this process and never
 * reused, so a client can ask for "the lines after N" and tell from `oldestSeq` whether lines it
 * has not seen were dropped meanwhile.
 *
 * A line is kept as the JSON text pino wrote (the same bytes as on stdout, redaction applied);
 * only the fields the filters need (time, level, module, correlation id) are read out of it when
 * it is written, the rest is parsed when a line is served.
 */

/** Default bounds of the process's ring. */
export const RING_MAX_LINES = 5_000;
/** 5 MiB of line text. */
export const RING_MAX_BYTES = 5 * 1024 * 1024;

/** One kept line. */
export interface RingEntry {
	/** 1, 2, 3… in the order written. */
	seq: number;
	/** The line's `time` in ms since the epoch (when it was written, if it has none). */
	time: number;
	/** pino's numeric level (10 trace … 60 fatal). */
	level: number;
	/** The child logger's `module`, null for lines of the root logger. */
	module: string | null;
	/** The correlation id (`cid`) of the request or job run, null outside one. */
	cid: string | null;
	/** The line as written, without its trailing newline. */
	line: string;
	/** UTF-8 size of `line` in bytes. */
	bytes: number;
}

export interface LogRingOptions {
	maxLines?: number;
	maxBytes?: number;
}

/** A bounded ring of log lines; `write` takes what pino writes (one or more `\n`-ended lines). */
export class LogRing {
	readonly maxLines: number;
	readonly maxBytes: number;
	/** Circular storage: the entry with sequence number s sits at index s % maxLines. */
	readonly #slots: (RingEntry | undefined)[];
	#oldest = 1;
	#next = 1;
	#bytes = 0;
	/** Every module that ever wrote a line here (a handful of names). */
	readonly #modules = new Set<string>();

	constructor(options: LogRingOptions = {}) {
		this.maxLines = Math.max(1, Math.floor(options.maxLines ?? RING_MAX_LINES));
		this.maxBytes = Math.max(1, Math.floor(options.maxBytes ?? RING_MAX_BYTES));
		this.#slots = new Array<RingEntry | undefined>(this.maxLines);
	}

	/** Keeps each line of `chunk` (pino writes one JSON line per call, `\n`-terminated). */
	write(chunk: string): void {
		for (const line of chunk.split('\n')) if (line.trim() !== '') this.#push(line);
	}

	#push(line: string): void {
		let fields: Record<string, unknown> = {};
		try {
			const parsed: unknown = JSON.parse(line);
			if (parsed && typeof parsed === 'object') fields = parsed as Record<string, unknown>;
		} catch {
			// Not JSON (should not happen with pino): kept as a message of its own.
		}
		const parsedTime = typeof fields.time === 'string' ? Date.parse(fields.time) : fields.time;
		const seq = this.#next;
		// Full: the slot of this line holds the oldest one.
		if (seq - this.#oldest >= this.maxLines) this.#dropOldest();
		const entry: RingEntry = {
			seq,
			time: typeof parsedTime === 'number' && Number.isFinite(parsedTime) ? parsedTime : Date.now(),
			level: typeof fields.level === 'number' ? fields.level : 30,
			module: typeof fields.module === 'string' ? fields.module : null,
			cid: typeof fields.cid === 'string' ? fields.cid : null,
			line,
			bytes: Buffer.byteLength(line, 'utf8')
		};
		if (entry.module) this.#modules.add(entry.module);
		this.#slots[seq % this.maxLines] = entry;
		this.#next = seq + 1;
		this.#bytes += entry.bytes;
		// The newest line stays even when it alone is larger than maxBytes.
		while (this.#bytes > this.maxBytes && this.#oldest < seq) this.#dropOldest();
	}

	#dropOldest(): void {
		const index = this.#oldest % this.maxLines;
		const entry = this.#slots[index];
		if (entry && entry.seq === this.#oldest) {
			this.#bytes -= entry.bytes;
			this.#slots[index] = undefined;
		}
		this.#oldest++;
	}

	/** Lines kept now. */
	get size(): number {
		return this.#next - this.#oldest;
	}

	/** Bytes of line text kept now. */
	get bytes(): number {
		return this.#bytes;
	}

	/** The sequence number of the newest line, 0 before the first. */
	get lastSeq(): number {
		return this.#next - 1;
	}

	/** The sequence number of the oldest line kept (lastSeq + 1 when empty). */
	get oldestSeq(): number {
		return this.#oldest;
	}

	/** Every module name seen since the process started, sorted. */
	modules(): string[] {
		return [...this.#modules].sort();
	}

	/** The entry with sequence number `seq`, if still kept. */
	get(seq: number): RingEntry | undefined {
		if (seq < this.#oldest || seq >= this.#next) return undefined;
		const entry = this.#slots[seq % this.maxLines];
		return entry?.seq === seq ? entry : undefined;
	}

	/** Kept entries from `from` up to `to` (inclusive, clamped), oldest first. */
	*ascending(from = this.#oldest, to = this.lastSeq): Generator<RingEntry> {
		for (let seq = Math.max(from, this.#oldest); seq <= Math.min(to, this.lastSeq); seq++) {
			const entry = this.get(seq);
			if (entry) yield entry;
		}
	}

	/** Kept entries from `from` down to `to` (inclusive, clamped), newest first. */
	*descending(from = this.lastSeq, to = this.#oldest): Generator<RingEntry> {
		for (let seq = Math.min(from, this.lastSeq); seq >= Math.max(to, this.#oldest); seq--) {
			const entry = this.get(seq);
			if (entry) yield entry;
		}
	}
}
