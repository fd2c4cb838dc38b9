import { expect, it } from 'vitest';
import { HoldBook, type PointRecord, type Signal } from '../../src/core/index.js';
import { Committer } from '../../src/service/committer.js';
import { InProcessTransport } from '../../src/service/in-process-transport.js';

const at = { line: 'L1', station: 'reflow' };
const point = (index: number, unit: string): PointRecord => ({ type: 'point', characteristic: 'reflow.peak_temp', index, phase: 'II', ts: `2026-11-25T06:00:${String(index % 60).padStart(2, '0')}Z`, statistic: 250 + index, center: 245, ucl: 248, lcl: 242, violations: ['we1'], actions: ['hold'], units: [unit], lots: [] });

it("a batch keeps one entry per hold's revisions (every unit once, in order, latest values); a release stays after them; the signals sent to the line are unchanged", () => {
  const c = new Committer({ transport: new InProcessTransport(), maxMessages: 1000, countDeadLetters: () => {}, log: () => {} });
  const book = new HoldBook();
  const b = c.current;
  const sent: Signal[] = [];
  const store = (signals: Signal[]) => { for (const s of signals) { sent.push(s); c.storeSignal(b, s); } };
  const changePoint = { index: 1, lower: 1, upper: 1, method: 'normal-mean-mle' as const, ts: 'x' };
  for (let i = 1; i <= 5; i++) store(book.apply({ ...point(i, `SN${i}`), ...(i === 1 ? { changePoint } : {}) }, at));
  store([book.release('reflow.peak_temp#1', 'qm-anna', 'profile fixed', '2026-11-25T07:00:00Z')!]);
  for (let i = 6; i <= 8; i++) store(book.apply(point(i, `SN${i}`), at));

  expect(sent.filter((s) => s.type === 'hold').length).toBe(8);
  expect(b.signals.map((s) => s.type)).toEqual(['hold', 'release', 'hold']);
  const [first, , second] = b.signals as Extract<Signal, { type: 'hold' }>[];
  expect(first).toMatchObject({ id: 'reflow.peak_temp#1', rev: 5, unitCount: 5, statistic: 255, added: ['SN1', 'SN2', 'SN3', 'SN4', 'SN5'], changePoint }); // rev 1's change point kept
  expect(second).toMatchObject({ id: 'reflow.peak_temp#6', rev: 3, added: ['SN6', 'SN7', 'SN8'] });
  // What went to the line still names only its own units.
  expect(sent.filter((s) => s.type === 'hold').map((s) => (s as { added: string[] }).added.length)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
});
