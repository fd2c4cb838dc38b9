import { expect, it } from 'vitest';
import type { RuleSetConfig } from '../../src/core/index.js';
import { InProcessTransport } from '../../src/service/in-process-transport.js';
import { SpcWorker } from '../../src/service/worker.js';
import { influxLineEncoder } from '../../src/adapters/influx/line-protocol.js';

const characteristic = (id: string, line?: string) => ({ id, match: { ...(line ? { line } : {}), parameter: 'torque' }, chart: { type: 'i-mr' as const }, limits: { center: 1.2, sigma: 0.02 }, rules: ['we1' as const] });
const rules: RuleSetConfig = { version: 1, characteristics: [characteristic('torque-L1', 'L1')] };

it('with several partitions, rules that match any line are refused at start and on reload, and a refused reload changes nothing', () => {
  const lineless: RuleSetConfig = { version: 1, characteristics: [characteristic('torque-L1', 'L1'), characteristic('torque-any')] };
  expect(() => new SpcWorker({ transport: new InProcessTransport(), rules: lineless, encoder: influxLineEncoder, partitions: 4, onSignal: () => {} })).toThrow(/needs match.line; these match any line: torque-any/);

  const worker = new SpcWorker({ transport: new InProcessTransport(), rules, encoder: influxLineEncoder, partitions: 4, onSignal: () => {} });
  expect(() => worker.reloadRules(lineless)).toThrow(/torque-any/);
  expect(worker.engine.ruleSet).toBe(rules);
  expect(worker.engine.summaries().map((s) => s.characteristic)).toEqual(['torque-L1']);
  // One partition routes everything: the same rules are accepted.
  expect(new SpcWorker({ transport: new InProcessTransport(), rules: lineless, encoder: influxLineEncoder, onSignal: () => {} }).reloadRules(lineless).kept).toEqual(['torque-L1', 'torque-any']);
});
