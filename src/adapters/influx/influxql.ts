/** InfluxQL over HTTP `/query`: understood by InfluxDB 1.x, 2.x (DBRP mapping) and 3.x. */
export interface InfluxQlTarget { url: string; database: string; token?: string }

export interface SeriesResult { name: string; columns: string[]; values: unknown[][]; tags?: Record<string, string> }

export async function influxQuery(t: InfluxQlTarget, q: string): Promise<SeriesResult[]> {
  const url = `${t.url.replace(/\/$/, '')}/query?${new URLSearchParams({ db: t.database, q, epoch: 'ms' })}`;
  const res = await fetch(url, { method: 'POST', headers: t.token ? { Authorization: `Token ${t.token}` } : {} });
  if (!res.ok) throw new Error(`InfluxQL ${q}: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { results: { series?: SeriesResult[]; error?: string }[] };
  const first = body.results[0];
  if (first?.error) throw new Error(`InfluxQL ${q}: ${first.error}`);
  return first?.series ?? [];
}

/** `CREATE DATABASE` (InfluxDB 1.x), idempotent. */
export async function createDatabase(t: Omit<InfluxQlTarget, 'database'>, database: string): Promise<void> {
  await influxQuery({ ...t, database }, `CREATE DATABASE "${database.replace(/"/g, '')}"`);
}
