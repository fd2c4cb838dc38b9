import { createWriteStream } from 'node:fs';
import { readSamples } from '../adapters/files/sample-reader.js';
import { NdjsonWriter } from '../adapters/files/ndjson-writer.js';
import { Phase1ReviewCollector, seriesId, SpcEngine, type PointRecord } from '../core/index.js';
import { loadRules } from '../rules-file/load.js';
import { Progress } from './progress.js';
import { summaryTable } from './summary-table.js';

export interface BacktestOptions {
  rules: string;
  input: string;
  out?: string;
  /** Print a readable table instead of NDJSON on stdout. */
  summary?: boolean;
  /** Write rejected lines with their reasons here (NDJSON). */
  rejects?: string;
}

const MAX_REJECT_LINES_SHOWN = 5;

/** `spc backtest`: replay a sample file through a rule set; NDJSON points then summaries. */
export async function backtest(o: BacktestOptions): Promise<number> {
  const started = Date.now();
  const rules = loadRules(o.rules);
  const engine = new SpcEngine(rules);
  if (rules.anomaly?.length) process.stderr.write(`note: ${rules.anomaly.length} anomaly model(s) in the rules are scored by spc run, not by backtest\n`);
  const toStdout = !o.summary || o.out !== undefined;
  const writer = toStdout ? NdjsonWriter.toFileOrStdout(o.out) : undefined;
  const rejects = o.rejects ? createWriteStream(o.rejects) : undefined;
  const firstHolds = new Map<string, PointRecord>();
  // Phase I reviews (what the limits were estimated from, what violated a rule there) follow their points.
  const reviews = new Phase1ReviewCollector();
  const summaryOf = (c: string, split?: Readonly<Record<string, string>>) => engine.summaryOf(c, split);
  const emit = (p: PointRecord) => {
    if (p.phase === 'I') reviews.onPoint(p);
    if (p.actions.length && p.actions.includes('hold')) { const series = seriesId(p.characteristic, p.split); if (!firstHolds.has(series)) firstHolds.set(series, p); }
    writer?.write(p);
  };
  const progress = new Progress('backtest');
  let badLines = 0;
  const note = (lineNo: number, reason: string, raw: string) => {
    badLines++;
    if (badLines <= MAX_REJECT_LINES_SHOWN) process.stderr.write(`${o.input}:${lineNo}: rejected: ${reason}\n`);
    rejects?.write(JSON.stringify({ line: lineNo, reason, raw }) + '\n');
  };

  await readSamples(o.input, {
    sample(s, lineNo) {
      const r = engine.process(s, emit);
      if (r.rejected) note(lineNo, r.rejected, JSON.stringify(s));
      else if (reviews.pending) for (const review of reviews.take(summaryOf, s.ts)) writer?.write(review);
    },
    reject: (reason, lineNo, raw) => note(lineNo, reason, raw),
    async progress(done, total) {
      progress.update(done, total, engine.counters.samples);
      if (writer?.full) await writer.flush();
    },
  });
  progress.done();
  const summaries = engine.summaries();
  if (writer) {
    for (const s of summaries) writer.write(s);
    await writer.close();
  }
  if (rejects) await new Promise((r) => rejects.end(r));
  if (badLines > MAX_REJECT_LINES_SHOWN) process.stderr.write(`… ${badLines - MAX_REJECT_LINES_SHOWN} more rejected lines${o.rejects ? ` (all in ${o.rejects})` : ' (use --rejects FILE to keep them all)'}\n`);
  for (const s of summaries) {
    if (s.phase1) process.stderr.write(`warning: ${s.characteristic}: Phase I has ${s.phase1.collected} of ${s.phase1.needed} points, limits not locked, no points plotted\n`);
  }
  if (o.summary) process.stdout.write(summaryTable(summaries, engine.counters, badLines - engine.counters.rejected, (Date.now() - started) / 1000, firstHolds) + '\n');
  return 0;
}
