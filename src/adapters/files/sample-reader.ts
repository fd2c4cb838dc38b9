import { createReadStream, statSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse';
import type { Sample } from '../../core/sample.js';
import { parseSampleJson, validateSample } from '../../samples/validate.js';

export interface SampleReadHandlers {
  sample(sample: Sample, lineNo: number): void;
  reject(reason: string, lineNo: number, raw: string): void;
  /** Called after each chunk with bytes read so far; may return a promise to apply backpressure. */
  progress?(bytesRead: number, totalBytes: number): void | Promise<void>;
}

const NUMERIC_CSV_FIELDS = new Set(['value', 'n']);

/** A CSV row as a sample: empty cells are absent, value and n are numbers. */
function csvRecordToSample(row: Record<string, string>): unknown {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (v === '') continue;
    out[k] = NUMERIC_CSV_FIELDS.has(k) ? (/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v) ? Number(v) : v) : v;
  }
  return out;
}

export function isCsvFile(path: string): boolean {
  return /\.csv$/i.test(path);
}

/**
 * Streams samples from an NDJSON file (one JSON object per line) or a CSV file with a header
 * (by extension). Each line is validated; bad lines are reported with their line number and never
 * stop the read. Lines are handled synchronously per chunk, which keeps parsing near JSON.parse speed.
 */
export async function readSamples(path: string, h: SampleReadHandlers): Promise<void> {
  const total = statSync(path).size;
  if (isCsvFile(path)) return readCsv(path, total, h);
  let carry = '';
  let lineNo = 0;
  let bytes = 0;
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  for await (const chunk of stream as AsyncIterable<string>) {
    bytes += Buffer.byteLength(chunk);
    const text = carry + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      lineNo++;
      handleLine(text.slice(start, nl), lineNo, h);
      start = nl + 1;
    }
    carry = text.slice(start);
    await h.progress?.(bytes, total);
  }
  if (carry.length) handleLine(carry, ++lineNo, h);
}

function handleLine(raw: string, lineNo: number, h: SampleReadHandlers): void {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (line.trim() === '') return;
  const r = parseSampleJson(line);
  if (r.ok) h.sample(r.sample, lineNo); else h.reject(r.reason, lineNo, line);
}

async function readCsv(path: string, total: number, h: SampleReadHandlers): Promise<void> {
  const stream = createReadStream(path);
  let bytes = 0;
  stream.on('data', (c) => { bytes += c.length; });
  const parser = stream.pipe(parseCsv({ columns: true, skip_empty_lines: true, trim: true, info: true }));
  let n = 0;
  for await (const rec of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    const r = validateSample(csvRecordToSample(rec.record));
    if (r.ok) h.sample(r.sample, rec.info.lines); else h.reject(r.reason, rec.info.lines, JSON.stringify(rec.record));
    if (++n % 10_000 === 0) await h.progress?.(bytes, total);
  }
  await h.progress?.(total, total);
}
