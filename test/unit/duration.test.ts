import { expect, it } from 'vitest';
import { parseDuration } from '../../src/rules-file/duration.js';

it('parses durations with units and refuses anything else', () => {
  expect(parseDuration('500ms')).toBe(500);
  expect(parseDuration('60s')).toBe(60_000);
  expect(parseDuration('90')).toBe(90_000);
  expect(parseDuration('2m')).toBe(120_000);
  expect(parseDuration('7d')).toBe(604_800_000);
  expect(() => parseDuration('soon')).toThrow(/not a duration: "soon"/);
});
