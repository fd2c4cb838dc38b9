import type { SendOptions, Transport } from '@influxdata/influxdb-client';

/** Maps a v2 precision to InfluxDB 1.x's `/write` precision parameter. */
const V1_PRECISION: Record<string, string> = { ns: 'n', us: 'u', ms: 'ms', s: 's' };

/**
 * `/api/v2/write?org=…&bucket=db/rp&precision=ns` → `/write?db=db&rp=rp&precision=n`, so the
 * unchanged v2 WriteApi (batching, gzip) writes to InfluxDB 1.x, which has no v2 endpoint before
 * 1.8 (Debian ships 1.6.7). Other paths pass through.
 */
export function toV1WritePath(path: string): string {
  if (!path.startsWith('/api/v2/write')) return path;
  const q = new URL(path, 'http://localhost').searchParams;
  const [db, rp] = (q.get('bucket') ?? '').split('/');
  const out = new URLSearchParams({ db });
  if (rp) out.set('rp', rp);
  const precision = q.get('precision');
  if (precision) out.set('precision', V1_PRECISION[precision] ?? precision);
  return `/write?${out}`;
}

/** Wraps the client's own transport, rewriting write paths for InfluxDB 1.x. */
export function v1Transport(base: Transport): Transport {
  return {
    send: (path: string, body: string, options: SendOptions, callbacks) => base.send(toV1WritePath(path), body, options, callbacks),
    request: (path: string, body: unknown, options: SendOptions, started) => base.request(toV1WritePath(path), body, options, started),
    iterate: (path: string, body: unknown, options: SendOptions) => base.iterate(toV1WritePath(path), body, options),
    chunkCombiner: base.chunkCombiner,
  };
}
