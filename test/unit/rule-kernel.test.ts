import { expect, it } from 'vitest';
import { RULE_SPECS } from '../../src/core/rules/registry.js';
import { newRuleState, ruleLayout, type RulePoint } from '../../src/core/rules/index.js';
import { testRule } from '../../src/core/rules/kernel.js';
import { SeededRandom } from '../../src/sim/random.js';

// The engine runs a rule list through each rule's kernel, the ARL and rule tests through each
// rule's own `test`: both must flag the same points from the same state, for every rule.
it('the rule kernel flags exactly the points each rule\'s own test flags', () => {
  const names = RULE_SPECS.map((s) => s.key);
  const layout = ruleLayout(names);
  const viaRules = newRuleState(layout), viaKernel = newRuleState(layout);
  const rng = new SeededRandom(7);
  const flagged = names.map(() => 0);
  const differ: string[] = [];
  for (let k = 0; k < 20_000; k++) {
    // A drifting, sometimes stuck statistic: runs, trends, alternation and ties all occur.
    const z = k % 97 < 3 ? 0 : rng.normal() * (k % 500 < 50 ? 0.3 : 1.4) + (k % 1000 < 100 ? 1.2 : 0);
    const p: RulePoint = { statistic: z, z, beyond: Math.abs(z) > 3 };
    for (let i = 0; i < names.length; i++) {
      const a = layout.rules[i].test(p, viaRules, layout.offsets[i]);
      const b = testRule(layout.kernels[i], p, viaKernel, layout.offsets[i]);
      if (a !== b) differ.push(`${names[i]} at point ${k}`);
      if (a) flagged[i]++;
    }
  }
  expect(differ.slice(0, 5)).toEqual([]);
  expect(Array.from(viaKernel)).toEqual(Array.from(viaRules));
  // Every rule fired at least once, so the comparison covered its signalling path.
  for (let i = 0; i < names.length; i++) expect(flagged[i], names[i]).toBeGreaterThan(0);
});
