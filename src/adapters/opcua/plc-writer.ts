import { AttributeIds, DataType, OPCUAClient, StatusCodes, type ClientSession } from 'node-opcua-client';
import type { PlcWrite } from '../../core/signals/plc-outputs.js';

/** Writes PLC outputs to OPC UA variables, in the variable's own data type. */
export interface OpcUaPlc {
  write(writes: readonly PlcWrite[]): Promise<void>;
  /** Called after the connection came back: the caller writes every output again. */
  onReconnect(listener: () => void): void;
  close(): Promise<void>;
}

/**
 * An OPC UA client session to the PLC (node-opcua; 2.182.x is the last line for Node 20). Each
 * variable's data type is read once and the value converted to it (a Boolean hold bit, a String
 * or an integer reason, a UInt32 or Double unit count). The client reconnects by itself and
 * reports it, so the gateway can rewrite every output.
 */
export async function connectOpcUaPlc(endpoint: string, log: (msg: string) => void = () => {}): Promise<OpcUaPlc> {
  const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { initialDelay: 250, maxDelay: 2000, maxRetry: 1e9 }, keepSessionAlive: true });
  const listeners: (() => void)[] = [];
  client.on('connection_reestablished', () => { log(`OPC UA connection to ${endpoint} re-established`); for (const l of listeners) l(); });
  client.on('connection_lost', () => log(`OPC UA connection to ${endpoint} lost; reconnecting`));
  await client.connect(endpoint);
  const session: ClientSession = await client.createSession();
  const types = new Map<string, DataType>();
  const typeOf = async (nodeId: string): Promise<DataType> => {
    let t = types.get(nodeId);
    if (t !== undefined) return t;
    const dv = await session.read({ nodeId, attributeId: AttributeIds.DataType });
    if (dv.statusCode !== StatusCodes.Good) throw new Error(`cannot read the data type of ${nodeId}: ${dv.statusCode.toString()}`);
    t = (dv.value.value as { value: number }).value as DataType;
    types.set(nodeId, t);
    return t;
  };
  const convert = (t: DataType, v: PlcWrite['value']): boolean | string | number => {
    if (t === DataType.Boolean) return v === true || v === 'true' || (typeof v === 'number' && v !== 0);
    if (t === DataType.String) return String(v);
    return typeof v === 'number' ? v : v === true ? 1 : 0; // numeric variables: a bit as 0/1
  };
  return {
    async write(writes) {
      if (!writes.length) return;
      const nodes = await Promise.all(writes.map(async (w) => {
        const dataType = await typeOf(w.target);
        return { nodeId: w.target, attributeId: AttributeIds.Value, value: { value: { dataType, value: convert(dataType, w.value) } } };
      }));
      const results = await session.write(nodes);
      const bad = results.map((r, i) => [r, writes[i].target] as const).filter(([r]) => r !== StatusCodes.Good);
      if (bad.length) throw new Error(`OPC UA write refused: ${bad.map(([r, n]) => `${n}: ${r.toString()}`).join('; ')}`);
    },
    onReconnect: (l) => { listeners.push(l); },
    async close() { await session.close(); await client.disconnect(); },
  };
}
