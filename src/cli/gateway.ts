import WebSocket from 'ws';

export interface GatewayOptions { url: string; token: string; line: string; silenceMs: string }

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
  let failSafe = false;
  let sick = false;
  const holdLine = (why: string) => { if (!failSafe) { failSafe = true; say(`FAIL-SAFE: HOLD LINE ${o.line} (${why})`); } };
  let backoff = 250;
  for (;;) {
    await new Promise<void>((resolve) => {
      const ws = new WebSocket(o.url, { headers: { Authorization: `Bearer ${o.token}` } });
      let watchdog: NodeJS.Timeout | undefined;
      const arm = () => { clearTimeout(watchdog); watchdog = setTimeout(() => { holdLine(`no heartbeat for ${silenceMs} ms`); ws.terminate(); }, silenceMs); };
      ws.on('unexpected-response', (_req, res) => { say(`refused: HTTP ${res.statusCode}`); if (res.statusCode === 401) process.exit(2); });
      ws.on('open', () => { backoff = 250; arm(); ws.send(JSON.stringify({ type: 'subscribe', lines: [o.line] })); });
      ws.on('message', (data) => {
        arm();
        const m = JSON.parse(data.toString());
        switch (m.type) {
          case 'snapshot':
            if (failSafe) { failSafe = false; say(`signal stream back: line ${o.line} follows signals again`); }
            say(`snapshot: ${m.holds.length} active hold(s)`);
            for (const h of m.holds) { say(`HOLD units ${h.units.join(',')} (${h.id}, ${h.rule})`); ws.send(JSON.stringify({ type: 'ack', id: h.id })); }
            break;
          case 'hold':
            say(`HOLD units ${m.units.join(',')} lots ${m.lots.join(',')} — ${m.characteristic} ${m.rule}, statistic ${m.statistic} (limits ${m.lcl}..${m.ucl}) [${m.id}]${m.resent ? ' (re-sent)' : ''}`);
            ws.send(JSON.stringify({ type: 'ack', id: m.id }));
            break;
          case 'release': say(`RELEASE units ${m.units.join(',')} (${m.id}) by ${m.by}: ${m.reason}`); break;
          case 'alarm': say(`alarm ${m.characteristic} ${m.rule} units ${m.units.slice(-3).join(',')} [${m.id}]`); break;
          case 'alarm-clear': say(`alarm cleared ${m.characteristic} [${m.id}]`); break;
          case 'error': say(`error from server: ${m.code}: ${m.message}`); break;
          case 'heartbeat':
            if (m.healthy === false) holdLine(`worker unhealthy: ${(m.problems ?? []).join('; ')}`);
            else if (failSafe && m.healthy === true && sick) { failSafe = false; say(`worker healthy again: line ${o.line} follows signals again`); }
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
