import WebSocket from 'ws';
import { PlcOutputs, type PlcWrite } from '../core/signals/plc-outputs.js';

import { createInterface } from 'node:readline';

export interface GatewayOptions { url: string; token: string; line: string; silenceMs: string; check?: boolean; opcua?: string; sparkplug?: string; plcMap?: string }

/**
 * `spc gateway`: a reference PLC gateway. Prints what a PLC would do: hold and release units,
 * acknowledge holds, and hold the whole line when the signal stream goes silent (no heartbeat
 * within --silence-ms), the connection drops, or the worker's heartbeats report it unhealthy
 * (commits stalled, store unreachable …: a sick worker is as unsafe as a silent one); it
 * reconnects with backoff, and follows signals again on a healthy heartbeat.
 */
export async function gateway(o: GatewayOptions): Promise<number> {
  const silenceMs = Number(o.silenceMs);
  const say = (text: string) => process.stdout.write(`${new Date().toISOString()} ${text}\n`);
  // The line is held until the first healthy snapshot (as the PLC's outputs start fail-safe).
  let failSafe = true;
  let sick = false;
  // Whether this connection's snapshot has come: the line follows signals only after a snapshot
  // and a healthy word on the same connection (the snapshot's own `healthy`, or a heartbeat's).
  let synced = false;
  const follow = (why: string) => {
    if (!failSafe) return;
    failSafe = false;
    say(`${why}: line ${o.line} follows signals again`);
    if (plc) toPlc(plc.outputs.resume());
  };
  // The reaction plan travels with a hold's or alarm's first message: a station screen shows it.
  const sayPlan = (plan: { name: string; steps: { do: string; who: string }[] }) => plan.steps.forEach((s, i) => say(`  plan ${plan.name} ${i + 1}. ${s.who}: ${s.do}`));
  // The PLC over OPC UA (--opcua, --plc-map): hold bit, reason and suspect units per mapped station,
  // written in order; fail-safe until the first snapshot, and again whenever the line is held blind.
  const plc = o.opcua || o.sparkplug ? await openPlc(o, say) : undefined;
  let writing = Promise.resolve();
  const toPlc = (writes: PlcWrite[]) => {
    if (!plc || !writes.length) return;
    writing = writing.then(() => plc.conn.write(writes)).then(() => { say(`PLC: ${writes.map((w) => `${w.target}=${String(w.value)}`).join(', ')}`); }, (err: Error) => { say(`PLC write failed: ${err.message}`); });
  };
  plc?.conn.onReconnect(() => toPlc(plc.outputs.all()));
  if (plc) toPlc(plc.outputs.enterFailSafe());
  const holdLine = (why: string) => { if (!failSafe) { failSafe = true; say(`FAIL-SAFE: HOLD LINE ${o.line} (${why})`); if (plc) toPlc(plc.outputs.enterFailSafe()); } };
  let backoff = 250;
  let current: WebSocket | undefined;
  // The interlock over OPC UA: the PLC writes a scanned unit ID into the request node; the answer
  // (that unit, and whether it is held) goes to the answer nodes. No signal connection: held.
  const answerPlc = (unit: string, held: boolean) => {
    const n = plc!.interlock!;
    writing = writing.then(() => plc!.conn.write([{ target: n.answerHeld, value: held }, { target: n.answerUnit, value: unit }]))
      .then(() => { say(`PLC interlock: ${unit} ${held ? 'HELD' : 'not held'}`); }, (err: Error) => { say(`PLC interlock write failed: ${err.message}`); });
  };
  if (plc?.interlock && o.opcua) {
    const { monitorOpcUa } = await import('../adapters/opcua/monitor.js');
    await monitorOpcUa(o.opcua, [{ nodeId: plc.interlock.request, samplingMs: 50 }], (_n, v) => {
      const unit = typeof v === 'string' ? v.trim() : '';
      if (!unit) return;
      if (current?.readyState === WebSocket.OPEN) current.send(JSON.stringify({ type: 'check', unit, ref: unit }));
      else answerPlc(unit, true);
    }, say);
  }
  if (o.check) {
    // The unit-status interlock, as the next station would use it: a scanned unit ID per line on
    // standard input is checked before work starts; the answer is printed as STATUS.
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (unit) => {
      const u = unit.trim();
      if (!u) return;
      if (current?.readyState === WebSocket.OPEN) current.send(JSON.stringify({ type: 'check', unit: u, ref: u }));
      else say(`STATUS ${u}: unknown (no signal connection) — treat as HELD`);
    });
  }
  for (;;) {
    await new Promise<void>((resolve) => {
      const ws = new WebSocket(o.url, { headers: { Authorization: `Bearer ${o.token}` } });
      let watchdog: NodeJS.Timeout | undefined;
      const arm = () => { clearTimeout(watchdog); watchdog = setTimeout(() => { holdLine(`no heartbeat for ${silenceMs} ms`); ws.terminate(); }, silenceMs); };
      ws.on('unexpected-response', (_req, res) => { say(`refused: HTTP ${res.statusCode}`); if (res.statusCode === 401) process.exit(2); });
      ws.on('open', () => { backoff = 250; synced = false; arm(); ws.send(JSON.stringify({ type: 'subscribe', lines: [o.line] })); current = ws; });
      ws.on('message', (data) => {
        arm();
        let m;
        try { m = JSON.parse(data.toString()); } catch { say('error: a message from the server is not JSON (ignored)'); return; }
        switch (m.type) {
          case 'snapshot':
            synced = true;
            say(`snapshot: ${m.holds.length} active hold(s)`);
            // A snapshot lists each hold's unit count and first units; a PLC that needs every unit
            // pages through GET /api/holds/:id/units, or asks per unit (check) before working on it.
            for (const h of m.holds) { say(`HOLD ${h.unitCount} units, first ${h.units.slice(0, 10).join(',')}${h.unitsComplete ? '' : ' …'} (${h.id} rev ${h.rev}, ${h.rule})`); ws.send(JSON.stringify({ type: 'ack', id: h.id, rev: h.rev })); }
            if (plc) toPlc(plc.outputs.snapshot(m.holds));
            // A worker that says it cannot vouch for the line (restoring it, another worker's, sick) keeps the fail-safe.
            if (m.healthy === false) holdLine(`worker unhealthy: ${(m.problems ?? []).join('; ')}`);
            else if (m.healthy === true) follow('signal stream back');
            sick = m.healthy === false;
            break;
          case 'hold':
            // Protocol v2: a revision names only the units it adds; acknowledged by rev.
            say(`HOLD ${m.rev === 1 ? '' : '+'}units ${(m.added ?? m.units ?? []).join(',')} lots ${m.lots.join(',')} — ${m.characteristic} ${m.rule}, statistic ${m.statistic} (limits ${m.lcl}..${m.ucl}) [${m.id} rev ${m.rev}, ${m.unitCount} units]${m.resent ? ' (re-sent)' : ''}`);
            ws.send(JSON.stringify({ type: 'ack', id: m.id, rev: m.rev }));
            if (m.plan) sayPlan(m.plan);
            if (plc) toPlc(plc.outputs.hold(m));
            break;
          case 'status': {
            // Held unless the worker vouches for the answer and the line follows signals: a station must not work on a unit it cannot clear.
            const unsure = m.unsure?.length ? `unknown (${m.unsure.join('; ')})` : failSafe || !synced ? 'unknown (the line is in fail-safe)' : undefined;
            const held = unsure !== undefined || m.held === true;
            say(`STATUS ${m.unit}: ${unsure ? `${unsure} — treat as HELD` : m.held ? `HELD by ${m.holds.join(', ')}` : 'not held'}`);
            if (plc?.interlock) answerPlc(m.unit, held);
            break;
          }
          case 'release':
            say(`RELEASE ${m.unitCount} units (${m.id}) by ${m.by}${m.causeCode ? ` cause ${m.causeCode}` : ''}${m.actionCode ? ` action ${m.actionCode}` : ''}${m.signature ? ` signed by ${m.signature.signer}` : ''}: ${m.reason}`);
            if (plc) toPlc(plc.outputs.release(m.id));
            break;
          case 'alarm':
            if (m.flood) say(`ALARM FLOOD on ${m.line}: ${m.flood.alarms} new alarms within ${Math.round(m.flood.windowMs / 60_000)} min; each characteristic's first alarm and high-priority alarms still come, repeats are suppressed [${m.id}]`);
            else say(`alarm ${m.characteristic} ${m.rule}${m.priority === 'high' ? ' (high priority)' : ''} units ${m.added.slice(-3).join(',')} [${m.id}${m.rev > 1 ? ` rev ${m.rev}` : ''}]`);
            if (m.plan) sayPlan(m.plan);
            break;
          case 'alarm-clear':
            if (m.flood) say(`alarm flood over on ${m.line} (${m.flood.ended}): ${m.flood.suppressed} alarm(s) suppressed [${m.id}]`);
            else say(`alarm cleared ${m.characteristic} [${m.id}]`);
            break;
          case 'error': say(`error from server: ${m.code}: ${m.message}`); break;
          case 'heartbeat':
            if (m.healthy === false) holdLine(`worker unhealthy: ${(m.problems ?? []).join('; ')}`);
            else if (m.healthy === true && synced) follow(sick ? 'worker healthy again' : 'signal stream back');
            sick = m.healthy === false;
            break;
        }
      });
      ws.on('close', () => { clearTimeout(watchdog); holdLine('connection closed'); resolve(); });
      ws.on('error', () => undefined);
    });
    await new Promise((r) => setTimeout(r, backoff));
    backoff = Math.min(5000, backoff * 2);
  }
}

/** The PLC's session (OPC UA, or Sparkplug commands to an edge node) and the outputs it takes (the map's stations). */
async function openPlc(o: GatewayOptions, say: (t: string) => void) {
  if (!o.plcMap) throw new RangeError(`${o.opcua ? '--opcua' : '--sparkplug'} needs --plc-map <file>: where each line's or station's hold goes`);
  const { loadPlcMap } = await import('../rules-file/plc-map.js');
  const map = loadPlcMap(o.plcMap);
  let conn: { write(w: readonly PlcWrite[]): Promise<void>; onReconnect(l: () => void): void };
  if (o.opcua) {
    const { connectOpcUaPlc } = await import('../adapters/opcua/plc-writer.js');
    conn = await connectOpcUaPlc(o.opcua, say);
    say(`PLC: OPC UA ${o.opcua}, ${map.stations.length} mapped station(s)`);
  } else {
    const { connectSparkplugCommands } = await import('../adapters/mqtt/sparkplug-commands.js');
    const commands = await connectSparkplugCommands(o.sparkplug!, `spc-gateway-${o.line}-${process.pid}`);
    conn = { write: (w) => commands.write(w), onReconnect: () => {} };
    say(`PLC: Sparkplug commands over ${o.sparkplug}, ${map.stations.length} mapped station(s)`);
  }
  return { outputs: new PlcOutputs(map.stations), conn, interlock: map.interlock };
}
