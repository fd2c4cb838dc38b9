import { connect } from 'nats';
import { decodeSparkplug, connectSparkplug } from '../adapters/mqtt/sparkplug-mqtt.js';
import { ensureStreams, publishDeadLetter, sampleSubject, streamNamesFor } from '../adapters/nats/jetstream.js';
import { loadSparkplugMap } from '../rules-file/sparkplug-map.js';
import { SparkplugBridge } from '../service/sparkplug-bridge.js';

/** The NATS connection and the samples stream a bridge publishes to (created if missing). */
async function samplesStream(o: { nats: string; prefix: string }, name: string) {
  const nc = await connect({ servers: o.nats, name });
  const streams = streamNamesFor(o.prefix);
  await ensureStreams(await nc.jetstreamManager(), streams);
  return { nc, js: nc.jetstream(), streams, enc: new TextEncoder() };
}

export interface SparkplugBridgeCliOptions { mqtt: string; map: string; nats: string; prefix: string; clientId: string; statusEvery: string }

/** `spc bridge sparkplug`: MQTT (Sparkplug B) in, the samples stream out, until SIGINT/SIGTERM. */
export async function bridgeSparkplug(o: SparkplugBridgeCliOptions): Promise<number> {
  const map = loadSparkplugMap(o.map);
  const { nc, js, streams, enc } = await samplesStream(o, 'spc bridge sparkplug');
  const log = (level: string, msg: string, extra: Record<string, unknown> = {}) => process.stderr.write(`${JSON.stringify({ level, msg, ...extra })}\n`);
  let connection: Awaited<ReturnType<typeof connectSparkplug>> | undefined;
  const bridge = new SparkplugBridge({
    map, decode: decodeSparkplug,
    publish: async (p, samples, id) => { await js.publish(sampleSubject(streams, p.line, p.station, p.parameter), enc.encode(JSON.stringify(samples)), { msgID: id }); },
    deadLetter: (reason, detail, topic, payload, id) => publishDeadLetter(js, streams, { reason, detail, subject: topic, streamSequence: 0, kind: id }, payload),
    requestRebirth: (group, node) => connection?.requestRebirth(group, node) ?? Promise.resolve(),
    log,
  });
  connection = await connectSparkplug(o.mqtt, o.clientId, (topic, payload) => bridge.message(topic, payload));
  process.stderr.write(`spc bridge sparkplug: ready (${o.mqtt} → ${streams.samples}, map ${o.map}, ${map.devices.length} device entr${map.devices.length === 1 ? 'y' : 'ies'})\n`);
  const every = Number(o.statusEvery) * 1000;
  const status = every > 0 ? setInterval(() => log('info', 'sparkplug bridge', { ...bridge.counters }), every) : undefined;
  await new Promise<void>((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve); });
  clearInterval(status);
  await connection.close();
  await nc.drain();
  log('info', 'sparkplug bridge stopped', { ...bridge.counters });
  return 0;
}

export interface OpcUaBridgeCliOptions { endpoint: string; map: string; nats: string; prefix: string; statusEvery: string }

/** `spc bridge opcua`: monitored OPC UA values in, a unit's samples out when its trigger closes it, until SIGINT/SIGTERM. */
export async function bridgeOpcUa(o: OpcUaBridgeCliOptions): Promise<number> {
  const { loadOpcUaMap } = await import('../rules-file/opcua-map.js');
  const { monitorOpcUa } = await import('../adapters/opcua/monitor.js');
  const { OpcUaBridge } = await import('../service/opcua-bridge.js');
  const map = loadOpcUaMap(o.map);
  const { nc, js, streams, enc } = await samplesStream(o, 'spc bridge opcua');
  const log = (msg: string, extra: Record<string, unknown> = {}) => process.stderr.write(`${JSON.stringify({ level: 'info', msg, ...extra })}\n`);
  const bridge = new OpcUaBridge(map.stations, async (p, samples, id) => { await js.publish(sampleSubject(streams, p.line, p.station, p.parameter), enc.encode(JSON.stringify(samples)), { msgID: id }); }, log);
  const monitor = await monitorOpcUa(o.endpoint, OpcUaBridge.nodes(map.stations), (n, v, ts) => bridge.change(n, v, ts), log);
  process.stderr.write(`spc bridge opcua: ready (${o.endpoint} → ${streams.samples}, ${map.stations.length} station(s))\n`);
  const every = Number(o.statusEvery) * 1000;
  const status = every > 0 ? setInterval(() => log('opcua bridge', { ...bridge.counters }), every) : undefined;
  await new Promise<void>((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve); });
  clearInterval(status);
  await bridge.flushed();
  await monitor.close();
  await nc.drain();
  log('opcua bridge stopped', { ...bridge.counters });
  return 0;
}
