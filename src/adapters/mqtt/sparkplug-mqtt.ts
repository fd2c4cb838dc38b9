import mqtt, { type MqttClient } from 'mqtt';
import sparkplug from 'sparkplug-payload';

const payloads = sparkplug.get('spBv1.0')!;

/** Decodes a Sparkplug B payload (Eclipse Tahu's protobuf codec); throws on anything else. */
export function decodeSparkplug(payload: Uint8Array): ReturnType<typeof payloads.decodePayload> {
  return payloads.decodePayload(payload);
}

/** Encodes a Sparkplug B payload (the rebirth command; tests' edge nodes). */
export function encodeSparkplug(payload: Parameters<typeof payloads.encodePayload>[0]): Uint8Array {
  return payloads.encodePayload(payload);
}

export interface SparkplugConnection {
  /** NCMD `Node Control/Rebirth` = true to an edge node (Sparkplug 3.0 §6.4.7). */
  requestRebirth(group: string, node: string): Promise<void>;
  close(): Promise<void>;
  readonly client: MqttClient;
}

/**
 * A Sparkplug host application's MQTT session: subscribes to `spBv1.0/#` at QoS 1 with a persistent
 * session (`clean: false`, a stable client id), so QoS 1 messages published while the bridge is
 * down wait at the broker; each message is acknowledged only after `onMessage` resolves (it has
 * been published to the samples stream), so a crash before that gets it redelivered, not lost.
 */
export async function connectSparkplug(url: string, clientId: string, onMessage: (topic: string, payload: Uint8Array) => Promise<void>): Promise<SparkplugConnection> {
  const client = mqtt.connect(url, { clientId, clean: false, reconnectPeriod: 1000, protocolVersion: 4, manualConnect: true });
  // MQTT.js acknowledges a QoS 1 message when handleMessage calls back: only once it is handled.
  client.handleMessage = (packet, done) => { onMessage(packet.topic, packet.payload as Uint8Array).then(() => done(), () => done()); };
  client.connect();
  await new Promise<void>((resolve, reject) => { client.once('connect', () => resolve()); client.once('error', reject); });
  await client.subscribeAsync('spBv1.0/#', { qos: 1 });
  return {
    client,
    async requestRebirth(group, node) {
      const body = encodeSparkplug({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }] });
      await client.publishAsync(`spBv1.0/${group}/NCMD/${node}`, Buffer.from(body), { qos: 0 });
    },
    close: () => client.endAsync(),
  };
}
