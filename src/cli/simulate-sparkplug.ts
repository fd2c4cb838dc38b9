import { newClient } from 'sparkplug-client';
import type { Sample } from '../core/index.js';
import { parseDuration } from '../rules-file/duration.js';
import { FAULT_KINDS, SmtLineSimulator, type FaultKind } from '../sim/smt-line.js';

export interface SparkplugSimulateOptions { sparkplug: string; rate: string; lines: string; fault?: string; at: string; target: string; duration?: string; units?: string; seed: string }

/** The metrics of a station's device: its unit's identity, then one per parameter. */
const IDENTITY = [['Unit/Serial', 'unit'], ['Unit/Lot', 'lot'], ['Unit/Operator', 'operator'], ['Unit/Equipment', 'equipment']] as const;

/**
 * `spc simulate --sparkplug`: the simulated SMT line as a plant's edge nodes would publish it —
 * one Sparkplug B edge node per line (Eclipse Tahu's sparkplug-client; group = the line, node
 * `edge`), one device per station, a DDATA per unit and station by alias after the births.
 * examples/sparkplug-smt-map.yaml maps it back to samples (`spc bridge sparkplug`). Attribute
 * samples (counts with n) are not published: the map has no sample size.
 */
export async function simulateSparkplug(o: SparkplugSimulateOptions): Promise<number> {
  const rate = Number(o.rate), lineCount = Number(o.lines);
  if (!(rate > 0)) throw new RangeError(`--rate must be > 0 messages/s (got ${o.rate})`);
  if (o.fault !== undefined && !FAULT_KINDS.includes(o.fault as FaultKind)) throw new RangeError(`--fault must be one of ${FAULT_KINDS.join(', ')} (got ${o.fault})`);
  const lines = Array.from({ length: lineCount }, (_, i) => `L${i + 1}`);
  const perUnit = 5 * lineCount; // DDATA messages per unit: one per station without a sample size, per line
  const atUnit = Math.max(1, Math.round((parseDuration(o.at) / 1000) * (rate / perUnit)));
  const sim = new SmtLineSimulator({ seed: Number(o.seed), lines, startMs: Date.now(), unitIntervalMs: Math.max(1, Math.round((1000 * perUnit) / rate)), fault: o.fault ? { kind: o.fault as FaultKind, atUnit, target: o.target } : undefined });
  const first = sim.nextUnit().filter((s) => s.n === undefined);
  const stations = [...new Set(first.map((s) => s.station))];
  const paramsOf = (station: string) => [...new Set(first.filter((s) => s.station === station).map((s) => s.parameter))];
  // Aliases are unique across an edge node and its devices (Sparkplug 3.0 §6.4.2): a block of 100
  // per station, identity 1–4 and parameters from 10 within it.
  const alias = (station: string, metric: string) => {
    const i = IDENTITY.findIndex(([m]) => m === metric);
    return 100 * (stations.indexOf(station) + 1) + (i >= 0 ? i + 1 : 10 + paramsOf(station).indexOf(metric.slice('Process/'.length)));
  };
  const edges = await Promise.all(lines.map((line) => new Promise<ReturnType<typeof newClient>>((resolve) => {
    const edge = newClient({ serverUrl: o.sparkplug, username: '', password: '', groupId: line, edgeNode: 'edge', clientId: `spc-sim-${line}-${process.pid}`, version: 'spBv1.0' });
    const birth = () => {
      edge.publishNodeBirth({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: false }] });
      for (const station of stations) {
        edge.publishDeviceBirth(station, { timestamp: Date.now(), metrics: [
          ...IDENTITY.map(([name]) => ({ name, alias: alias(station, name), type: 'String' as const, value: '' })),
          ...paramsOf(station).map((p) => ({ name: `Process/${p}`, alias: alias(station, `Process/${p}`), type: 'Double' as const, value: 0 })),
        ] });
      }
    };
    edge.on('birth', () => { birth(); resolve(edge); });
    // The bridge asks for a rebirth when it lost state: publish the births again.
    edge.on('ncmd', (p) => { if ((p.metrics ?? []).some((m) => m.name === 'Node Control/Rebirth' && m.value === true)) birth(); });
  })));
  const byLine = new Map(lines.map((l, i) => [l, edges[i]]));
  const endAt = o.duration ? Date.now() + parseDuration(o.duration) : Infinity;
  const maxUnits = o.units ? Number(o.units) : Infinity;
  let sent = 0, stop = false;
  process.once('SIGINT', () => { stop = true; });
  process.stderr.write(`spc simulate: Sparkplug B, ${rate} msg/s on ${lines.join(', ')} (group = line, node edge, a device per station) → ${o.sparkplug}${o.fault ? `; fault "${o.fault}" on ${o.target} from unit ${atUnit}` : ''}\n`);
  const started = Date.now();
  const publishUnit = (samples: Sample[]) => {
    const groups = new Map<string, Sample[]>();
    for (const s of samples) if (s.n === undefined) { const k = `${s.line}|${s.station}`; (groups.get(k) ?? groups.set(k, []).get(k)!).push(s); }
    for (const g of groups.values()) {
      const s0 = g[0];
      byLine.get(s0.line)!.publishDeviceData(s0.station, { timestamp: Date.parse(s0.ts), metrics: [
        ...IDENTITY.map(([name, key]) => ({ alias: alias(s0.station, name), type: 'String' as const, value: String(s0[key] ?? '') })),
        ...g.map((s) => ({ alias: alias(s.station, `Process/${s.parameter}`), type: 'Double' as const, value: s.value })),
      ] });
      sent++;
    }
  };
  publishUnit(first);
  while (!stop && Date.now() < endAt && sim.units < maxUnits) {
    const due = ((Date.now() - started) / 1000) * rate;
    while (sent < due && sim.units < maxUnits) publishUnit(sim.nextUnit());
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 500));
  for (const e of edges) e.stop();
  process.stderr.write(`spc simulate: published ${sent} Sparkplug DDATA messages (${sim.units} units per line) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return 0;
}
