import { ensureInflux, stopInflux } from './integration/servers.js';

/** Integration tests need InfluxDB: start ours if none answers, and stop it afterwards. */
export default async function setup(): Promise<() => void> {
  const started = await ensureInflux();
  return () => { if (started) stopInflux(); };
}
