import { expect, it } from 'vitest';
import { OutboxBuffer } from '../../src/service/outbox-buffer.js';

it('encodes lines as newline-joined UTF-8 entries of at most maxBytes, every line whole and in order', () => {
  const b = new OutboxBuffer(1000);
  const lines = Array.from({ length: 500 }, (_, i) => `spc_point,line=L${i % 3} unit="SN-${i}-ü€𝔘" ${i}`);
  for (const l of lines) b.add(l);
  const entries = b.all();
  expect(entries.length).toBeGreaterThan(1);
  expect(entries.every((e) => e.length <= 1000)).toBe(true);
  const decoded = entries.map((e) => new TextDecoder().decode(e));
  expect(decoded.flatMap((d) => d.split('\n'))).toEqual(lines);
  expect(b.lines).toBe(500);
  expect(b.all()).toBe(entries); // a retry publishes the same entries
});
