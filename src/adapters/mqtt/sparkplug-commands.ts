import mqtt from 'mqtt';
import type { PlcWrite } from '../../core/signals/plc-outputs.js';
import { encodeSparkplug } from './sparkplug-mqtt.js';

/**
 * PLC outputs as Sparkplug B commands: a target `<group>/<edge node>[/<device>]:<metric>` is a
 * metric of an NCMD (node) or DCMD (device) message (Sparkplug 3.0 §6.4.9–§6.4.10); the writes of
 * one call to the same node or device go in one message. Booleans as Boolean, text as String,
 * numbers as Double.
 */
export async function connectSparkplugCommands(url: string, clientId: string): Promise<{ write(writes: readonly PlcWrite[]): Promise<void>; close(): Promise<void> }> {
  const client = await mqtt.connectAsync(url, { clientId, reconnectPeriod: 1000 });
  return {
    async write(writes) {
      const byTopic = new Map<string, { name: string; type: 'Boolean' | 'String' | 'Double'; value: boolean | string | number }[]>();
      for (const w of writes) {
        const colon = w.target.lastIndexOf(':');
        if (colon < 0) throw new RangeError(`a Sparkplug target is <group>/<edge node>[/<device>]:<metric> (got ${w.target})`);
        const [group, node, device] = w.target.slice(0, colon).split('/');
        const topic = device ? `spBv1.0/${group}/DCMD/${node}/${device}` : `spBv1.0/${group}/NCMD/${node}`;
        const type = typeof w.value === 'boolean' ? 'Boolean' : typeof w.value === 'string' ? 'String' : 'Double';
        (byTopic.get(topic) ?? byTopic.set(topic, []).get(topic)!).push({ name: w.target.slice(colon + 1), type, value: w.value });
      }
      for (const [topic, metrics] of byTopic) await client.publishAsync(topic, Buffer.from(encodeSparkplug({ timestamp: Date.now(), metrics })), { qos: 1 });
    },
    close: () => client.endAsync(),
  };
}
