/**
 * The machine's JSON.parse rate for a typical 150-byte sample, printed beside every benchmark
 * table: machines of the same kind differ 2–3× between sessions, and this lets a reader scale.
 */
export function jsonParseRate(ms = 500): number {
  const text = JSON.stringify({ ts: '2026-11-25T03:00:00.123Z', line: 'L1', station: 'reflow', parameter: 'peak_temp', value: 245.31, unit: 'L1-SN0000123', lot: 'LOT-L1-0007', operator: 'op17' });
  let n = 0, sink = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) for (let i = 0; i < 1000; i++, n++) sink += (JSON.parse(text) as { value: number }).value;
  if (sink === -1) console.log(sink);
  return n / (ms / 1000);
}

export const describeParseRate = (rate: number) => `JSON.parse of a 150-byte sample: ${(rate / 1e6).toFixed(2)} M/s on this machine`;
