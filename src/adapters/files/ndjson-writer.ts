import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';

/**
 * Buffers NDJSON lines and writes them in large chunks, waiting for the stream to drain, so a
 * million records cost a few hundred writes and memory stays bounded.
 */
export class NdjsonWriter {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly out: Writable, private readonly flushAt = 1 << 16) {}

  static toFileOrStdout(path: string | undefined): NdjsonWriter {
    return new NdjsonWriter(path ? createWriteStream(path) : process.stdout);
  }

  write(record: unknown): void {
    const line = JSON.stringify(record) + '\n';
    this.parts.push(line);
    this.size += line.length;
  }

  /** Whether enough is buffered that the caller should `flush()` before going on. */
  get full(): boolean { return this.size >= this.flushAt; }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = []; this.size = 0;
    if (!this.out.write(text)) await new Promise<void>((resolve) => this.out.once('drain', resolve));
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.out === process.stdout) return;
    await new Promise<void>((resolve, reject) => this.out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}
