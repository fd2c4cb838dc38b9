/** The Sparkplug B message types (Sparkplug 3.0 specification, §4.1.1: the topic namespace). */
export const SPARKPLUG_TYPES = ['NBIRTH', 'NDEATH', 'DBIRTH', 'DDEATH', 'NDATA', 'DDATA', 'NCMD', 'DCMD', 'STATE'] as const;
export type SparkplugType = (typeof SPARKPLUG_TYPES)[number];

export interface SparkplugTopic { group: string; type: SparkplugType; node: string; device?: string }

/** `spBv1.0/<group_id>/<message_type>/<edge_node_id>[/<device_id>]`, or undefined for any other topic. */
export function parseSparkplugTopic(topic: string): SparkplugTopic | undefined {
  const parts = topic.split('/');
  if (parts[0] !== 'spBv1.0' || parts.length < 4 || parts.length > 5) return undefined;
  const [, group, type, node, device] = parts;
  if (!(SPARKPLUG_TYPES as readonly string[]).includes(type) || !group || !node) return undefined;
  return { group, type: type as SparkplugType, node, ...(device ? { device } : {}) };
}
