import { AttributeIds, ClientMonitoredItem, ClientSubscription, OPCUAClient, TimestampsToReturn, type DataValue } from 'node-opcua-client';

export interface OpcUaMonitor { close(): Promise<void> }

/**
 * Monitors OPC UA nodes (node-opcua client): one subscription, a monitored item per node with an
 * explicit sampling interval (a server's default can be as slow as 1 s), each data change passed
 * on with the server's source timestamp. The client reconnects and republishes by itself after a
 * lost connection; `log` hears of both.
 */
export async function monitorOpcUa(endpoint: string, nodes: readonly { nodeId: string; samplingMs: number }[], onChange: (nodeId: string, value: unknown, ts: number) => void, log: (msg: string) => void = () => {}): Promise<OpcUaMonitor> {
  const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { initialDelay: 250, maxDelay: 2000, maxRetry: 1e9 }, keepSessionAlive: true });
  client.on('connection_lost', () => log(`OPC UA connection to ${endpoint} lost; reconnecting`));
  client.on('connection_reestablished', () => log(`OPC UA connection to ${endpoint} re-established`));
  await client.connect(endpoint);
  const session = await client.createSession();
  const subscription = ClientSubscription.create(session, { requestedPublishingInterval: 100, requestedLifetimeCount: 600, requestedMaxKeepAliveCount: 20, maxNotificationsPerPublish: 1000, publishingEnabled: true, priority: 10 });
  for (const n of nodes) {
    const item = ClientMonitoredItem.create(subscription, { nodeId: n.nodeId, attributeId: AttributeIds.Value }, { samplingInterval: n.samplingMs, discardOldest: true, queueSize: 100 }, TimestampsToReturn.Both);
    item.on('changed', (dv: DataValue) => onChange(n.nodeId, dv.value.value, (dv.sourceTimestamp ?? dv.serverTimestamp ?? new Date()).getTime()));
  }
  return { async close() { await subscription.terminate(); await session.close(); await client.disconnect(); } };
}
