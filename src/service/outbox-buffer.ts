/**
 * A batch's time-series lines as UTF-8 bytes, newline-terminated, cut into entries of at most
 * `maxBytes`. Each line is encoded straight into a growing buffer: joining tens of thousands of
 * concatenated strings and encoding the result cost 8% of the worker (each string flattened,
 * then copied twice).
 */
const EMPTY = Buffer.alloc(0);

export class OutboxBuffer {
  /** Finished entries. */
  readonly entries: Buffer[] = [];
  /** Allocated at the first line (a batch may have none; at a low rate it has a few lines), 4 KiB and doubling, then as large as the last entry's. */
  private buf = EMPTY;
  private size = 4 * 1024;
  private used = 0;
  lines = 0;
  bytes = 0;

  constructor(private readonly maxBytes: number) {}

  add(line: string): void {
    // At most 3 bytes per UTF-16 unit, plus the newline.
    const most = line.length * 3 + 1;
    if (this.used + most > this.maxBytes && this.used > 0) this.finish();
    if (this.used + most > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + most, this.buf.length ? 0 : this.size));
      this.buf.copy(bigger, 0, 0, this.used);
      this.buf = bigger;
    }
    const n = this.buf.write(line, this.used, 'utf8');
    this.buf[this.used + n] = 10;
    this.used += n + 1;
    this.bytes += n + 1;
    this.lines++;
  }

  /** Every entry, the last one included (call once the batch is complete). */
  all(): Buffer[] {
    if (this.used > 0) this.finish();
    return this.entries;
  }

  private finish(): void {
    // Without its last newline: entries are lines joined by newlines, as the drain splits them.
    this.entries.push(this.buf.subarray(0, this.used - 1)); // this buffer is not written again
    this.size = Math.min(this.buf.length, this.maxBytes);
    this.buf = EMPTY;
    this.used = 0;
  }
}
