import { connect, type PubAck } from 'nats';
import { ensureStreams, sampleSubject, streamNamesFor } from '../adapters/nats/jetstream.js';
import type { Sample } from '../core/index.js';
import { MoldingLineSimulator } from '../sim/molding-line.js';
import { FAULT_KINDS, SmtLineSimulator, type FaultKind } from '../sim/smt-line.js';
import { parseDuration } from '../rules-file/duration.js';

export interface SimulateOptions {
  nats: string;
  rate: string;
  lines: string;
  fault?: string;
  at: string;
  target: string;
  duration?: string;
  units?: string;
  batch?: boolean;
  /** A mixed-model molding line (two products, two cavities, cavity 2 wearing from --at) instead of the SMT line. */
  mixed?: boolean;
  seed: string;
  prefix: string;
}

/** Most JetStream publishes awaiting their acknowledgement. */
const IN_FLIGHT = 512;

/**
 * `spc simulate`: publishes an SMT line's samples to JetStream at a steady message rate, each
 * publish acknowledged (nothing silently dropped). With --fault the chosen disturbance starts
 * at --at and is announced on stderr.
 */
export async function simulate(o: SimulateOptions): Promise<number> {
  const rate = Number(o.rate), lineCount = Number(o.lines);
  if (!(rate > 0)) throw new RangeError(`--rate must be > 0 messages/s (got ${o.rate})`);
  if (!Number.isInteger(lineCount) || lineCount < 1 || lineCount > 100) throw new RangeError(`--lines must be 1..100 (got ${o.lines})`);
  if (o.fault !== undefined && !FAULT_KINDS.includes(o.fault as FaultKind)) throw new RangeError(`--fault must be one of ${FAULT_KINDS.join(', ')} (got ${o.fault})`);
  const lines = Array.from({ length: lineCount }, (_, i) => `L${i + 1}`);
  const perUnit = o.batch ? 5 * lineCount : 6 * lineCount; // messages per simulated unit, about
  const atMs = parseDuration(o.at);
  const atUnit = Math.max(1, Math.round((atMs / 1000) * (rate / perUnit)));
  const sim: { units: number; nextUnit(): Sample[] } = o.mixed
    // Two parts (messages) per shot; cavity 2 starts wearing at --at.
    ? new MoldingLineSimulator({ seed: Number(o.seed), startMs: Date.now(), shotIntervalMs: Math.max(1, Math.round(2000 / rate)), driftAt: Math.max(1, Math.round((atMs / 1000) * (rate / 2))) })
    : new SmtLineSimulator({ seed: Number(o.seed), lines, startMs: Date.now(), unitIntervalMs: Math.max(1, Math.round((1000 * perUnit) / rate)), fault: o.fault ? { kind: o.fault as FaultKind, atUnit, target: o.target } : undefined });
  const nc = await connect({ servers: o.nats, name: 'spc-guard simulator' });
  const streams = streamNamesFor(o.prefix);
  await ensureStreams(await nc.jetstreamManager(), streams);
  const js = nc.jetstream();
  const encoder = new TextEncoder();
  const endAt = o.duration ? Date.now() + parseDuration(o.duration) : Infinity;
  const maxUnits = o.units ? Number(o.units) : Infinity;
  let sent = 0, announced = false;
  const pending = new Set<Promise<PubAck>>();
  let stop = false;
  process.once('SIGINT', () => { stop = true; });
  process.stderr.write(o.mixed
    ? `spc simulate: ${rate} msg/s, molding line L2 (products P-100 and P-200 in batches of 50 shots, two cavities; cavity 2 wears from ~${o.at}) → ${o.nats}\n`
    : `spc simulate: ${rate} msg/s on ${lines.join(', ')} → ${o.nats}${o.fault ? `; fault "${o.fault}" on ${o.target} from unit ${atUnit} (~${o.at})` : ''}\n`);
  const started = Date.now();

  const publish = (subject: string, payload: unknown) => {
    const p = js.publish(subject, encoder.encode(JSON.stringify(payload)));
    pending.add(p);
    void p.finally(() => pending.delete(p)).catch((err) => { process.stderr.write(`spc simulate: publish failed: ${err}\n`); process.exitCode = 1; });
    sent++;
  };

  while (!stop && Date.now() < endAt && sim.units < maxUnits) {
    const due = ((Date.now() - started) / 1000) * rate;
    while (sent < due && !stop && sim.units < maxUnits) {
      const samples = sim.nextUnit();
      if (!announced && o.fault && sim.units >= atUnit) { announced = true; process.stderr.write(`spc simulate: FAULT "${o.fault}" injected on ${o.target} from unit ${atUnit}\n`); }
      if (o.batch) {
        const byStation = new Map<string, Sample[]>();
        for (const s of samples) { const k = `${s.line}|${s.station}`; byStation.set(k, [...(byStation.get(k) ?? []), s]); }
        for (const group of byStation.values()) publish(sampleSubject(streams, group[0].line, group[0].station, group.length === 1 ? group[0].parameter : 'batch'), group.length === 1 ? group[0] : group);
      } else for (const s of samples) publish(sampleSubject(streams, s.line, s.station, s.parameter), s);
      while (pending.size >= IN_FLIGHT) await Promise.race(pending);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.allSettled([...pending]);
  await nc.drain();
  process.stderr.write(`spc simulate: published ${sent} messages (${sim.units} units per line) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return Number(process.exitCode ?? 0);
}
