/** A metric as decoded from a Sparkplug payload (sparkplug-payload's shape, without its types). */
export interface SparkplugMetric {
  name?: string | null;
  alias?: number | { toNumber(): number } | null;
  timestamp?: number | { toNumber(): number } | null;
  value?: unknown;
  isNull?: boolean | null;
}

/** A metric with its name resolved (from the birth's alias table). */
export interface NamedMetric { name: string; value: unknown; timestamp?: number }

/** Numbers arrive as numbers or as Long objects (64-bit types). */
export const toNumber = (v: unknown): number | undefined => (typeof v === 'number' ? v : v && typeof (v as { toNumber?: unknown }).toNumber === 'function' ? (v as { toNumber(): number }).toNumber() : undefined);

/** What a data message meant for its edge node's session. */
export interface DataOutcome {
  metrics: NamedMetric[];
  /** Aliases no birth declared (their metrics are dropped): a rebirth is needed. */
  unknownAliases: number[];
  /** The message's seq was not the next one (a message was lost): a rebirth is needed. */
  gap?: { expected: number; got: number };
  /** Data before any birth of this node (or device): a rebirth is needed. */
  unborn?: boolean;
}

interface NodeSession { expectedSeq: number; aliases: Map<number, string>; devices: Set<string> }

/**
 * The state a Sparkplug host application keeps per edge node (Sparkplug 3.0 §6.4): the alias table
 * its NBIRTH and DBIRTHs declare (aliases are unique across the node and its devices), and the seq
 * number every message of the node carries, 0–255, incremented per message and wrapping. A gap in
 * seq, an unknown alias, or data from a node or device without a birth means state was lost: the
 * caller asks the node for a rebirth (an NCMD "Node Control/Rebirth").
 */
export class SparkplugSessions {
  private readonly nodes = new Map<string, NodeSession>();

  private static key(group: string, node: string): string { return `${group}/${node}`; }

  /** Seq after `seq`: 0–255 wrapping (Sparkplug 3.0 §6.4.5). */
  private static next(seq: number): number { return (seq + 1) % 256; }

  nodeBirth(group: string, node: string, seq: number, metrics: readonly SparkplugMetric[]): NamedMetric[] {
    const s: NodeSession = { expectedSeq: SparkplugSessions.next(seq), aliases: new Map(), devices: new Set() };
    this.nodes.set(SparkplugSessions.key(group, node), s);
    return this.learn(s, metrics);
  }

  /** A DBIRTH: its aliases join the node's table. Undefined when the node has no session (a rebirth is needed). */
  deviceBirth(group: string, node: string, device: string, seq: number, metrics: readonly SparkplugMetric[]): DataOutcome {
    const s = this.nodes.get(SparkplugSessions.key(group, node));
    if (!s) return { metrics: [], unknownAliases: [], unborn: true };
    const gap = this.advance(s, seq);
    s.devices.add(device);
    return { metrics: this.learn(s, metrics), unknownAliases: [], ...(gap ? { gap } : {}) };
  }

  /**
   * NDATA or DDATA: names resolved from the aliases, and what went wrong. Without a birth (a
   * bridge restarted while the broker redelivers) metrics that carry their name are still read;
   * those known only by alias cannot be.
   */
  data(group: string, node: string, device: string | undefined, seq: number, metrics: readonly SparkplugMetric[]): DataOutcome {
    const s = this.nodes.get(SparkplugSessions.key(group, node));
    const unborn = !s || (device !== undefined && !s.devices.has(device));
    const gap = s && !unborn ? this.advance(s, seq) : undefined;
    const out: NamedMetric[] = [], unknown: number[] = [];
    for (const m of metrics) {
      const alias = toNumber(m.alias);
      const name = m.name ?? (alias !== undefined ? s?.aliases.get(alias) : undefined);
      if (name === undefined) { if (alias !== undefined) unknown.push(alias); continue; }
      out.push(named(name, m));
    }
    return { metrics: out, unknownAliases: unknown, ...(gap ? { gap } : {}), ...(unborn ? { unborn } : {}) };
  }

  /** NDEATH: the node's state is gone until its next birth. DDEATH: the device's. */
  death(group: string, node: string, device?: string): void {
    if (device === undefined) this.nodes.delete(SparkplugSessions.key(group, node));
    else this.nodes.get(SparkplugSessions.key(group, node))?.devices.delete(device);
  }

  /** Forget a node (after asking it for a rebirth): its data is dropped until the birth comes. */
  forget(group: string, node: string): void { this.nodes.delete(SparkplugSessions.key(group, node)); }

  private advance(s: NodeSession, seq: number): { expected: number; got: number } | undefined {
    const expected = s.expectedSeq;
    s.expectedSeq = SparkplugSessions.next(seq);
    return seq === expected ? undefined : { expected, got: seq };
  }

  private learn(s: NodeSession, metrics: readonly SparkplugMetric[]): NamedMetric[] {
    const out: NamedMetric[] = [];
    for (const m of metrics) {
      if (!m.name) continue;
      const alias = toNumber(m.alias);
      if (alias !== undefined) s.aliases.set(alias, m.name);
      out.push(named(m.name, m));
    }
    return out;
  }
}

function named(name: string, m: SparkplugMetric): NamedMetric {
  const ts = toNumber(m.timestamp);
  return { name, value: m.isNull ? null : m.value, ...(ts !== undefined ? { timestamp: ts } : {}) };
}
