/** A one-line progress indicator on stderr, shown only when stderr is a terminal. */
export class Progress {
  private last = 0;
  private readonly started = Date.now();
  private readonly enabled: boolean;

  constructor(private readonly label: string, enabled = process.stderr.isTTY === true) {
    this.enabled = enabled;
  }

  update(done: number, total: number, count: number, noun = 'samples'): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 200 && done < total) return;
    this.last = now;
    const pct = total > 0 ? Math.min(100, (100 * done) / total) : 0;
    const rate = count / Math.max(0.001, (now - this.started) / 1000);
    const width = 24, filled = Math.round((pct / 100) * width);
    process.stderr.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct.toFixed(0).padStart(3)}% ${count.toLocaleString('en-US')} ${noun} (${Math.round(rate).toLocaleString('en-US')}/s)  `);
  }

  done(): void {
    if (this.enabled) process.stderr.write('\n');
  }
}
