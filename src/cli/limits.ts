/** `spc limits propose | approve | list`: a client of a running `spc run`'s limits API. */
export interface Connection { url: string; token: string }

async function call(o: Connection, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(new URL(path, o.url), { method: body ? 'POST' : 'GET', headers: { Authorization: `Bearer ${o.token}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: await res.json() };
}

const refused = (r: { status: number; body: any }) => { process.stderr.write(`refused (${r.status}): ${r.body.error}${r.body.field ? ` [${r.body.field}]` : ''}\n`); return 1; };
const drawn = (d?: { center: number; ucl: number; lcl: number }) => (d ? `center ${d.center.toPrecision(6)}, UCL ${d.ucl.toPrecision(6)}, LCL ${d.lcl.toPrecision(6)}` : '—');

export async function propose(characteristic: string, o: Connection & { from: string; to: string; exclude?: string; split?: string[]; reason: string }): Promise<number> {
  const exclude = o.exclude ? o.exclude.split(',').map((x) => Number(x.trim())) : [];
  const split = o.split ? Object.fromEntries(o.split.map((kv) => kv.split('=', 2))) : undefined;
  const r = await call(o, '/api/limits/proposals', { characteristic, from: o.from, to: o.to, exclude, reason: o.reason, ...(split ? { split } : {}) });
  if (r.status !== 200) return refused(r);
  process.stdout.write(`proposal ${r.body.id} for ${r.body.series}: center ${r.body.center}, sigma ${r.body.sigma} from ${r.body.points} points (before: center ${r.body.before_center}, sigma ${r.body.before_sigma})\n`
    + `approve it with: spc limits approve ${r.body.id} (your signing secret on stdin)\n`);
  return 0;
}

export async function approve(id: string, o: Connection): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const secret = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  const r = await call(o, `/api/limits/proposals/${encodeURIComponent(id)}/approve`, { signature: { secret } });
  if (r.status !== 200) return refused(r);
  process.stdout.write(`${r.body.id} in effect: center ${r.body.center}, sigma ${r.body.sigma}; approved by ${r.body.approval.signer} at ${r.body.approval.at}\n`);
  return 0;
}

export async function list(o: Connection & { characteristic?: string; json?: boolean }): Promise<number> {
  const r = await call(o, `/api/limits${o.characteristic ? `?characteristic=${encodeURIComponent(o.characteristic)}` : ''}`);
  if (r.status !== 200) return refused(r);
  if (o.json) { process.stdout.write(JSON.stringify(r.body, null, 2) + '\n'); return 0; }
  for (const v of r.body) process.stdout.write(`#${v.id} ${v.series} ${v.kind} ${v.state}${v.version ? ` v${v.version}` : ''}: ${v.kind === 'phase1' ? drawn(v.after) : `${drawn(v.before)} → ${drawn(v.after)}`}; ${v.proposed_by}${v.approved_by ? `, approved by ${v.approved_by}` : ''}\n`);
  return 0;
}
