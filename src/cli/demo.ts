import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenEntry } from '../auth/tokens.js';
import { GenealogyStore } from '../adapters/store/genealogy.js';
import { openSql } from '../adapters/store/sql.js';
import type { LifecycleSignal } from '../core/index.js';
import { loadRules } from '../rules-file/load.js';
import { parseDuration } from '../rules-file/duration.js';
import { openAnomalyModels } from '../service/anomaly.js';
import { InProcessTransport } from '../service/in-process-transport.js';
import { MoldingLineSimulator } from '../sim/molding-line.js';
import { FAULT_KINDS, SmtLineSimulator, type FaultKind } from '../sim/smt-line.js';
import { createLogger } from './logger.js';
import { startService } from './service.js';

/** The board number in a simulated unit id (L1-SN0001000 → 1000). */
const boardOf = (unit: string | undefined): number | undefined => { const m = unit ? /SN(\d+)$/.exec(unit) : null; return m ? Number(m[1]) : undefined; };

export interface DemoOptions { rules: string; port: string; host: string; rate: string; fault: string; at: string; target: string; store?: string; duration?: string }

/**
 * `spc demo`: the whole loop in one process with nothing installed but Node — simulated SMT line
 * (in-process transport instead of NATS) → engine → holds and alarms on the console and the
 * signal WebSocket, genealogy in embedded PGlite, InfluxDB off. Prints the console URL with a
 * quality token, and narrates the fault being caught.
 */
export async function demo(o: DemoOptions): Promise<number> {
  if (!FAULT_KINDS.includes(o.fault as FaultKind)) throw new RangeError(`--fault must be one of ${FAULT_KINDS.join(', ')} (got ${o.fault})`);
  const { log } = createLogger(process.env.SPC_LOG_LEVEL ?? 'warn');
  const rules = loadRules(o.rules);
  const token = (role: TokenEntry['role']) => ({ token: `${role}-${randomBytes(12).toString('hex')}`, role, name: `demo-${role}` }) as TokenEntry;
  const tokens = [token('quality'), token('operator'), token('plc')];
  const transport = new InProcessTransport();
  // Default: PGlite on disk in a temporary folder, removed at exit. In memory, PGlite keeps every
  // sample row in the process (measured: +29 MB/min at 300 samples/s); on disk the process stays flat.
  const tempStore = o.store ? undefined : mkdtempSync(join(tmpdir(), 'spc-demo-'));
  const storeUrl = o.store ?? `pglite:${tempStore}`;
  const store = new GenealogyStore(await openSql(storeUrl));
  const rate = Number(o.rate);
  const perUnit = 6;
  const atUnit = Math.max(1, Math.round((parseDuration(o.at) / 1000) * (rate / perUnit)));
  let faultAt = 0;
  let caught = false;
  const started = Date.now();
  let moldingCaught = false;
  const onSignal = (s: LifecycleSignal) => {
    if (s.type === 'hold' && s.split && !moldingCaught) {
      // The mixed-model line: one chart per product and cavity, so the worn cavity is held alone.
      moldingCaught = true;
      process.stdout.write(`\n✔ HOLD ${s.id}: only ${Object.entries(s.split).map(([k, v]) => `${k} ${v}`).join(', ')} of ${s.characteristic} (${s.rule}) — the other cavity and product charts stay quiet; units ${s.added.slice(0, 3).join(', ')}${s.unitCount > 3 ? ' …' : ''}\n\n`);
      return;
    }
    if (s.type !== 'hold' || caught || !faultAt || s.characteristic !== o.target) return;
    caught = true;
    process.stdout.write(`\n✔ HOLD ${s.id}: ${s.characteristic} ${s.rule} on ${s.line}/${s.station}, ${((Date.now() - faultAt) / 1000).toFixed(1)} s after the fault — units ${s.added.slice(0, 6).join(', ')}${s.unitCount > 6 ? ` … (${s.unitCount} so far)` : ''}, lots ${s.lots.join(', ')}\n`);
    const cp = s.changePoint;
    const first = boardOf(s.added[0]), last = boardOf(s.added[s.added.length - 1]);
    if (cp && cp.unit && first !== undefined && last !== undefined) {
      // Units made after the fault that the hold does not name: what would escape containment.
      const escaped = Math.max(0, first - atUnit);
      process.stdout.write(`  shift estimated at board ${boardOf(cp.unit)} (confidence set points ${cp.lower}–${cp.upper}); holding boards ${first} … ${last}; made since the fault and not held: ${escaped}\n`);
    }
    if (s.plan) process.stdout.write(`  reaction plan ${s.plan.name}: ${s.plan.steps.map((x, i) => `${i + 1}. ${x.who}: ${x.do}`).join('  ')}\n`);
    process.stdout.write(`  Release it on the console (quality token) with ${s.plan?.release.cause ? 'a cause code, an action code and ' : ''}a comment; trace it: trace → hold → ${s.id}\n\n`);
  };
  const service = await startService({
    rulesPath: o.rules, rules, tokens, transport, anomalies: await openAnomalyModels(rules.anomaly ?? []), store,
    unknown: 'count', flood: { maxAlarms: 10, windowMs: 600_000 }, heartbeatMs: 250, host: o.host, port: Number(o.port), log,
    lag: async () => transport.pending, healthExtra: () => ({ transport: 'in-process', deadLetters: transport.deadLetters.length }), onSignal,
  });
  const url = `http://${o.host === '0.0.0.0' ? '127.0.0.1' : o.host}:${service.port}/`;
  // Beside it, a mixed-model molding line (rules/molding-line.yaml): 10 shots/s, two products in
  // batches of 50 shots, cavity 2 wearing from shot 100 (~10 s).
  const molding = new MoldingLineSimulator({ seed: 3, startMs: Date.now(), shotIntervalMs: 100, driftAt: 100 });
  const moldingLine = rules.characteristics.some((c) => c.match.line === 'L2' && c.by?.length);
  process.stdout.write([
    `spc demo: a simulated SMT line (L1) → rules/ → holds and alarms, all in this process (no NATS, no InfluxDB; store ${tempStore ? `PGlite in ${tempStore}, removed at exit` : storeUrl.replace(/\/\/[^@/]*@/, '//***@')})`,
    `console:  ${url}#token=${tokens[0].token}   (quality; operator: ${tokens[1].token})`,
    `signals:  ws://${o.host}:${service.port}/signals?token=${tokens[2].token}   (plc)`,
    `fault:    ${o.fault} on ${o.target} at board ${atUnit} (~${o.at}); ${rate} samples/s. Ctrl-C to stop.`,
    ...(moldingLine ? ['also:     molding line L2 (rules/molding-line.yaml): products P-100 and P-200 alternate every 50 shots, two cavities; cavity 2 wears from shot 100 (~10 s)'] : []),
    '',
  ].join('\n'));

  const sim = new SmtLineSimulator({ seed: 1, lines: ['L1'], startMs: Date.now(), unitIntervalMs: Math.round((1000 * perUnit) / rate), fault: { kind: o.fault as FaultKind, atUnit, target: o.target } });
  let stop = false;
  const endAt = o.duration ? started + parseDuration(o.duration) : Infinity;
  const done = new Promise<void>((resolve) => {
    const finish = () => { stop = true; resolve(); };
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    const tick = setInterval(() => {
      if (stop || Date.now() >= endAt) { clearInterval(tick); finish(); return; }
      const due = ((Date.now() - started) / 1000) * (rate / perUnit);
      if (moldingLine) while (molding.units < (Date.now() - started) / 100) for (const m of molding.nextUnit()) transport.publish(`spc.samples.${m.line}.${m.station}.${m.parameter}`, m);
      while (sim.units < due) {
        for (const s of sim.nextUnit()) transport.publish(`spc.samples.${s.line}.${s.station}.${s.parameter}`, s);
        if (!faultAt && sim.units >= atUnit) { faultAt = Date.now(); process.stdout.write(`… fault "${o.fault}" injected on ${o.target} at board ${atUnit}\n`); }
      }
    }, 50);
  });
  await done;
  const c = service.worker.counters;
  await service.close();
  await service.loop;
  await store.db.close();
  if (tempStore) rmSync(tempStore, { recursive: true, force: true });
  process.stdout.write(`spc demo: ${c.samples} samples, ${c.points} points, ${service.worker.holds.activeHolds().length} active hold(s)${caught ? ', the fault was caught' : ''}\n`);
  return 0;
}
