import { expect, it } from 'vitest';
import { LogThrottle } from '../../src/core/log-throttle.js';

it('admits one line per key and window, then reports how many it held back', () => {
  const t = new LogThrottle(1000);
  expect(t.admit('invalid-json', 0)).toBe(0);
  for (let i = 1; i <= 500; i++) expect(t.admit('invalid-json', i)).toBeUndefined();
  expect(t.admit('rejected', 10)).toBe(0); // another key has its own window
  expect(t.admit('invalid-json', 1000)).toBe(500);
  expect(t.admit('invalid-json', 1001)).toBeUndefined();
});
