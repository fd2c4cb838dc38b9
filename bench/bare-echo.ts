/**
 * The floor under (c) in bench/stream.ts: a process that does only what any consumer of the line
 * must — read the samples stream with an ordered consumer (as `spc run` does), JSON.parse each
 * message, and name its unit to WebSocket clients (frames of one event-loop turn in one write, as
 * `spc run` sends them) — and nothing of SPC. Publish → echo at the same rate as (c), in the same
 * run, says how much of (c)'s latency the machine (NATS, the sockets, the scheduler) costs anyway.
 * Run by bench/stream.ts: node --import tsx bench/bare-echo.ts <nats> <stream> <subjects> <port>
 */
import { createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { connect, DeliverPolicy } from 'nats';
import { WebSocketServer, type WebSocket } from 'ws';

const [natsUrl, stream, subjects, port] = process.argv.slice(2);
const server = createServer();
const wss = new WebSocketServer({ server });
const clients = new Set<WebSocket>();
wss.on('connection', (ws) => { clients.add(ws); ws.on('close', () => clients.delete(ws)); });
await new Promise<void>((resolve) => server.listen(Number(port), '127.0.0.1', resolve));

const corked = new Set<Duplex>();
function send(text: string): void {
  for (const ws of clients) {
    const socket = (ws as unknown as { _socket: Duplex })._socket;
    if (!corked.has(socket)) {
      socket.cork();
      corked.add(socket);
      if (corked.size === 1) setImmediate(() => { for (const s of corked) s.uncork(); corked.clear(); });
    }
    ws.send(text);
  }
}

const nc = await connect({ servers: natsUrl, name: 'bench bare echo' });
// From sequence 1, as the worker's transport asks (DeliverPolicy.All left this client's consume() waiting).
const consumer = await nc.jetstream().consumers.get(stream, { filterSubjects: subjects, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: 1 });
const messages = await consumer.consume({ max_messages: 2000 });
const decoder = new TextDecoder();
process.stdout.write('ready\n');
let turn = performance.now();
for await (const m of messages) {
  // The worker's consume loop yields the same way (a buffered stream would starve socket writes).
  if (performance.now() - turn > 2) { await new Promise(setImmediate); turn = performance.now(); }
  const sample = JSON.parse(decoder.decode(m.data)) as { unit: string };
  send(`{"type":"echo","unit":${JSON.stringify(sample.unit)}}`);
}
