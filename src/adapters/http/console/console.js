// spc-guard operator console: live holds, alarms and control charts over the signal WebSocket,
// trace search and audit over the JSON API. Roles come from the token: only quality may release.
'use strict';
const $ = (id) => document.getElementById(id);
const state = { token: sessionStorage.getItem('spc-token') || '', role: '', holds: new Map(), alarms: new Map(), alarmStates: new Map(), series: new Map(), seriesInfo: new Map(), proposals: [], ws: null, chart: null, lastBeat: 0, heartbeatMs: 250, problems: null, linkLost: false, healthShown: '' };
const MAX_POINTS = 300;

function toast(text) { const t = $('toast'); t.textContent = text; t.classList.add('show'); setTimeout(() => t.classList.remove('show'), 3000); }
function cell(text, cls) { const td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; return td; }
async function api(path, options = {}) {
  const res = await fetch(path, { ...options, headers: { Authorization: `Bearer ${state.token}`, 'content-type': 'application/json' } });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || `HTTP ${res.status}`);
  return body;
}

/**
 * A hold as the console shows it, from a snapshot's view or from revisions (protocol v2: rev 1
 * names the first units, later revisions only the units they add): the latest fields, the unit
 * count, the most recent units and every lot.
 */
function mergeHold(prev, m) {
  const recent = [...(prev && m.rev > 1 ? prev.recent : []), ...(m.units && m.rev === 1 ? m.units : m.added || m.units || [])].slice(-5);
  const lots = [...new Set([...(prev && m.rev > 1 ? prev.lots : []), ...(m.lots || [])])];
  // Rev 1 and snapshots carry the change point; later revisions do not repeat it.
  return { ...m, recent, lots, unitCount: m.unitCount ?? recent.length, changePoint: m.changePoint ?? prev?.changePoint, plan: m.plan ?? prev?.plan };
}

/** The reaction plan's steps as an ordered list ("who: what"), or nothing without a plan. */
function planList(plan) {
  if (!plan || !plan.steps.length) return null;
  const ol = document.createElement('ol');
  ol.className = 'plan';
  ol.dataset.plan = plan.name;
  for (const s of plan.steps) { const li = document.createElement('li'); li.textContent = `${s.who}: ${s.do}`; ol.append(li); }
  return ol;
}

/** A <select> of the rule file's codes (value = code), with a first empty choice. */
function codeSelect(name, codes, label) {
  const sel = document.createElement('select');
  sel.name = name;
  sel.append(new Option(`${label}…`, ''), ...codes.map((c) => new Option(`${c.code} — ${c.text}`, c.code)));
  return sel;
}

/** The release form: the plan's codes, a comment and, where the plan asks, the signing secret. */
function releaseForm(h) {
  const form = document.createElement('form');
  form.className = 'release';
  const plan = h.plan;
  if (plan && plan.causes.length) form.append(codeSelect('causeCode', plan.causes, 'cause'));
  if (plan && plan.actions.length) form.append(codeSelect('actionCode', plan.actions, 'action'));
  const reason = document.createElement('input');
  reason.name = 'reason'; reason.placeholder = !plan || plan.release.comment ? 'comment (required)' : 'comment';
  form.append(reason);
  if (plan && plan.release.signature) {
    const secret = document.createElement('input');
    secret.name = 'secret'; secret.type = 'password'; secret.autocomplete = 'off'; secret.placeholder = 'signing secret';
    form.append(secret);
  }
  const button = document.createElement('button'); button.type = 'submit'; button.textContent = plan && plan.release.signature ? 'Sign and release' : 'Release';
  form.append(button);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {};
    for (const k of ['causeCode', 'actionCode', 'reason']) if (form[k] && form[k].value.trim()) body[k] = form[k].value.trim();
    if (form.secret) body.signature = { secret: form.secret.value };
    try { await api(`/api/holds/${encodeURIComponent(h.id)}/release`, { method: 'POST', body: JSON.stringify(body) }); toast(`released ${h.id}`); loadAudit(); }
    catch (err) { toast(`release refused: ${err.message}`); if (form.secret) form.secret.value = ''; }
  });
  return form;
}

/** When the hold's suspect window starts: at the estimated change (its unit and point), else when it was raised. */
function since(h) {
  const cp = h.changePoint;
  if (!cp) return new Date(h.ts).toLocaleTimeString();
  return `suspect since ${new Date(cp.ts).toLocaleTimeString()} (point ${cp.index}${cp.unit ? `, ${cp.unit}` : ''}; set ${cp.lower}–${cp.upper})`;
}

function renderHolds() {
  const tbody = $('holds').querySelector('tbody');
  tbody.replaceChildren();
  for (const h of state.holds.values()) {
    const tr = document.createElement('tr');
    tr.className = 'hold'; tr.dataset.id = h.id;
    const rule = cell(h.rule);
    const plan = planList(h.plan);
    if (plan) rule.append(plan);
    tr.append(cell(h.id), cell(`${h.line} / ${h.station}`), rule, cell(`${h.unitCount}: ${h.recent.join(', ')}${h.unitCount > h.recent.length ? ' …' : ''}`, 'units'), cell(h.lots.join(', ')), cell(since(h), 'since'));
    const actions = document.createElement('td');
    if (state.role === 'quality') actions.append(releaseForm(h));
    tr.append(actions);
    tbody.append(tr);
  }
  $('hold-count').textContent = String(state.holds.size);
  $('holds-empty').hidden = state.holds.size > 0;
}

function renderAlarms() {
  const ul = $('alarms');
  ul.replaceChildren(...[...state.alarms.values()].map((a) => {
    const li = document.createElement('li');
    const st = state.alarmStates.get(a.id);
    li.className = a.flood ? 'alarm flood' : 'alarm'; li.dataset.id = a.id;
    if (a.flood) li.textContent = `ALARM FLOOD on ${a.line}: ${a.flood.alarms} new alarms within ${Math.round(a.flood.windowMs / 60000)} min; repeat alarms are suppressed until fewer than ${a.flood.endBelow ?? '?'} arrive in that time${st ? ` [${st}]` : ''} `;
    else li.textContent = `${seriesOf(a)} ${a.rule}${a.priority === 'high' ? ' (high priority)' : ''} — ${a.unitCount} unit(s)${a.topFeatures ? ` — ${a.topFeatures.map((f) => f.feature).join(', ')}` : ''}${st ? ` [${st}]` : ''} `;
    if (!st || st.endsWith('unacknowledged')) {
      const code = a.plan && a.plan.causes.length ? codeSelect('causeCode', a.plan.causes, 'cause') : null;
      if (code) li.append(code);
      const b = document.createElement('button'); b.textContent = 'Ack'; b.className = 'ack';
      b.onclick = async () => {
        try { await api(`/api/alarms/${encodeURIComponent(a.id)}/ack`, { method: 'POST', body: JSON.stringify(code && code.value ? { causeCode: code.value } : {}) }); loadAudit(); }
        catch (err) { toast(`acknowledge refused: ${err.message}`); }
      };
      li.append(b);
    }
    const plan = planList(a.plan);
    if (plan) li.append(plan);
    return li;
  }));
}

/** Alarms flood control suppressed (recorded, not sounded): listed while a flood lasts, from the API. */
async function loadSuppressed() {
  const flooding = [...state.alarms.values()].some((a) => a.flood);
  let rows = [];
  if (flooding) { try { rows = (await api('/api/alarms')).filter((a) => a.state === 'suppressed'); } catch { rows = []; } }
  $('suppressed-panel').hidden = !flooding;
  $('suppressed-count').textContent = String(rows.length);
  $('suppressed').replaceChildren(...rows.map((a) => { const li = document.createElement('li'); li.className = 'suppressed'; li.textContent = `${a.characteristic} ${a.rule || ''} since ${new Date(a.raisedAt).toLocaleTimeString()}${a.active ? '' : ' (cleared)'}`; return li; }));
}
setInterval(() => { if (state.token && state.role && state.role !== 'plc') loadSuppressed(); }, 3000);

/** One alarm per series; flood alarms (`flood:<line>`) by their id, one per line. */
function alarmKey(a) { return a.id.startsWith('flood:') ? a.id : seriesOf(a); }

/** A chart per series: the characteristic, or one of its splits (`bore[product=P-100]`), as hold ids name them. */
function seriesOf(x) {
  return x.split ? `${x.characteristic}[${Object.entries(x.split).map(([k, v]) => `${k}=${v}`).join(',')}]` : x.characteristic;
}

function addPoint(p) {
  const key = seriesOf(p);
  let s = state.series.get(key);
  if (!s) {
    s = { x: [], y: [], c: [], u: [], l: [], v: [] };
    state.series.set(key, s);
    state.seriesInfo.set(key, { characteristic: p.characteristic, split: p.split });
    const opt = document.createElement('option'); opt.value = opt.textContent = key; $('characteristic').append(opt);
    if (!$('characteristic').value || $('characteristic').value === '') { $('characteristic').value = key; }
  }
  s.x.push(p.index); s.y.push(p.statistic); s.c.push(p.center); s.u.push(p.ucl); s.l.push(p.lcl); s.v.push(p.violations.length ? p.statistic : null);
  if (s.x.length > MAX_POINTS) for (const k of Object.keys(s)) s[k].shift();
}

function drawChart() {
  const name = $('characteristic').value;
  const s = state.series.get(name);
  if (!s || !window.uPlot) return;
  // The estimated change of each hold and alarm on this characteristic, marked on its point.
  const changes = new Set([...state.holds.values(), ...state.alarms.values()].filter((h) => seriesOf(h) === name && h.changePoint).map((h) => h.changePoint.index));
  // A proposed recalculation of this series: its center and limits beside the ones in effect (before/after).
  const proposal = state.proposals.find((p) => p.series === name && p.state === 'proposed' && p.after);
  const flat = (v) => s.x.map(() => (proposal ? v : null));
  const data = [s.x, s.y, s.c, s.u, s.l, s.v, s.x.map((x, i) => (changes.has(x) ? s.y[i] : null)),
    flat(proposal?.after.center), flat(proposal?.after.ucl), flat(proposal?.after.lcl)];
  if (!state.chart || state.chart.__name !== name) {
    state.chart?.destroy();
    state.chart = new uPlot({
      width: $('chart').clientWidth || 500, height: 280, scales: { x: { time: false } },
      series: [{ label: 'point' }, { label: 'statistic', stroke: '#2e6fd8' }, { label: 'center', stroke: '#888' }, { label: 'UCL', stroke: '#c0392b', dash: [5, 5] }, { label: 'LCL', stroke: '#c0392b', dash: [5, 5] },
        { label: 'violation', stroke: 'transparent', points: { show: true, size: 7, fill: '#c0392b', stroke: '#c0392b' } },
        { label: 'estimated change', stroke: 'transparent', points: { show: true, size: 13, fill: 'transparent', stroke: '#8e44ad', width: 2 } },
        { label: 'proposed center', stroke: '#27ae60', dash: [2, 4] }, { label: 'proposed UCL', stroke: '#27ae60', dash: [8, 4] }, { label: 'proposed LCL', stroke: '#27ae60', dash: [8, 4] }],
    }, data, $('chart'));
    state.chart.__name = name;
  } else state.chart.setData(data);
}
setInterval(drawChart, 500);

/**
 * What the screen can vouch for. A worker that is restoring, replaying, has lost its store or does
 * not own this user's lines says so in every heartbeat (healthy: false): its holds may be missing,
 * so the screen must not look like "all clear". A lost or silent stream is said the same way.
 */
function renderHealth() {
  const stale = state.lastBeat > 0 && Date.now() - state.lastBeat > Math.max(1500, 4 * state.heartbeatMs);
  const lines = state.linkLost ? ['The signal stream is lost (retrying): holds and alarms shown may be out of date.']
    : stale ? [`No heartbeat for ${Math.round((Date.now() - state.lastBeat) / 1000)} s: holds and alarms shown may be out of date.`]
      : state.problems ? state.problems : [];
  const heading = state.problems && !state.linkLost && !stale ? 'Not all holds may be shown: the worker does not vouch for this view. A unit check answers held until it does.' : 'Connection problem.';
  const shown = lines.length ? JSON.stringify([heading, lines]) : '';
  if (shown !== state.healthShown) { // heartbeats come every 250 ms: the page changes only when the text does
    state.healthShown = shown;
    const box = $('health');
    if (!lines.length) { box.hidden = true; box.replaceChildren(); } else {
      const ul = document.createElement('ul');
      ul.append(...lines.map((t) => { const li = document.createElement('li'); li.textContent = t; return li; }));
      const title = document.createElement('span');
      title.textContent = heading;
      box.replaceChildren(title, ul);
      box.hidden = false;
    }
  }
  $('link').className = `dot ${state.linkLost || stale || !state.lastBeat ? 'off' : state.problems ? 'warn' : 'on'}`;
}
/** A snapshot's or heartbeat's health (protocol: healthy, problems). */
function setHealth(m) {
  state.problems = m.healthy === false ? (m.problems && m.problems.length ? m.problems : ['the worker reports itself unhealthy']) : null;
  renderHealth();
}

function connect() {
  state.ws?.close();
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/signals?token=${encodeURIComponent(state.token)}`);
  state.ws = ws;
  ws.onopen = () => ws.send(JSON.stringify({ type: 'points', on: true }));
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    state.lastBeat = Date.now();
    state.linkLost = false;
    switch (m.type) {
      case 'heartbeat': setHealth(m); break;
      case 'snapshot':
        if (m.heartbeatMs) state.heartbeatMs = m.heartbeatMs;
        setHealth(m);
        state.role = m.role; $('who').textContent = `connected as ${m.role}${m.lines ? ` (lines ${m.lines.join(', ')})` : ''}`;
        state.holds = new Map(m.holds.map((h) => [h.id, mergeHold(undefined, { ...h, added: h.units.slice(-5) })])); state.alarms = new Map(m.alarms.map((a) => [alarmKey(a), a]));
        state.alarmStates = new Map((m.alarmStates || []).map((a) => [a.id, a.state]));
        renderHolds(); renderAlarms(); loadAudit(); if (m.role !== "plc") { loadPareto(); loadLimits(); loadChecks(); } break;
      case 'hold': state.holds.set(m.id, mergeHold(state.holds.get(m.id), m)); renderHolds(); break;
      case 'release': state.holds.delete(m.id); renderHolds(); toast(`${m.id} released by ${m.by}: ${m.reason}`); break;
      case 'alarm': if (m.rule === 'overdue') loadChecks(); { const key = alarmKey(m); const prev = state.alarms.get(key); state.alarms.set(key, { ...m, plan: m.plan ?? (prev && prev.id === m.id ? prev.plan : undefined) }); renderAlarms(); if (m.flood) loadSuppressed(); break; }
      case 'alarm-clear': state.alarms.delete(alarmKey(m)); renderAlarms(); if (m.flood) { toast(`alarm flood on ${m.line} over (${m.flood.ended}): ${m.flood.suppressed} alarm(s) were suppressed`); loadSuppressed(); } break;
      case 'alarm-state': state.alarmStates.set(m.id, m.state); renderAlarms(); break;
      case 'limits':
        if (m.kind === 'recalculation') toast(`limits ${m.id} in effect: center ${num(m.center)}, σ ${num(m.sigma)} (approved by ${m.approval.signer})`);
        else if (m.review && (m.review.flagged.length || (m.review.revised && m.review.revised.dropped.length))) {
          // Phase I is a review: its violations raised nothing live; they are shown here for investigation.
          toast(`Phase I review of ${seriesOf(m)}: limits locked on ${m.review.points} points; ${m.review.flagged.length} violated a rule (points ${m.review.flagged.join(', ') || 'none'})${m.review.revised ? `; revision dropped ${m.review.revised.dropped.join(', ') || 'none'}` : ''}`);
        }
        loadLimits(); break;
      case 'point': addPoint(m); break;
      case 'error': toast(`${m.code}: ${m.message}`); break;
    }
  };
  ws.onclose = () => { if (state.ws !== ws) return; // a replaced connection says nothing of the new one
    state.linkLost = true; renderHealth(); $('who').textContent = 'disconnected — retrying'; setTimeout(() => { if (state.ws === ws) connect(); }, 2000); };
}
setInterval(renderHealth, 500);

async function loadAudit() {
  try {
    const rows = await api('/api/audit?limit=20');
    $('audit').querySelector('tbody').replaceChildren(...rows.map((r) => { const tr = document.createElement('tr'); tr.append(cell(new Date(r.at).toLocaleString()), cell(r.actor), cell(r.role), cell(r.action), cell(r.target), cell(r.reason || '')); return tr; }));
  } catch { /* no store configured */ }
}

$('login').addEventListener('submit', (e) => { e.preventDefault(); state.token = $('token').value.trim(); sessionStorage.setItem('spc-token', state.token); connect(); });
$('characteristic').addEventListener('change', drawChart);
$('audit-refresh').addEventListener('click', loadAudit);

/** A Pareto of causes (codes of releases and acknowledgements) or of rules fired: bars, most frequent first. */
async function loadPareto() {
  const of = $('pareto-of').value;
  try {
    const r = await api(`/api/pareto?of=${of}`);
    $('pareto').replaceChildren(...r.rows.map((row) => {
      const li = document.createElement('li');
      li.dataset.key = row.key;
      const bar = document.createElement('span'); bar.className = 'bar'; bar.style.width = `${Math.round(100 * row.count / r.rows[0].count)}%`;
      const label = document.createElement('span'); label.className = 'label'; label.textContent = `${row.key} ${row.count} (${Math.round(row.cumulative * 100)}% cumulative)`;
      li.append(bar, label);
      return li;
    }));
    $('pareto-total').textContent = String(r.total);
  } catch (err) { $('pareto').textContent = err.message; }
}
$('pareto-refresh').addEventListener('click', loadPareto);

const num = (v) => (v === null || v === undefined ? '—' : Number(v.toPrecision(5)).toString());
const drawn = (d) => (d ? `center ${num(d.center)}, UCL ${num(d.ucl)}, LCL ${num(d.lcl)}` : '—');

/** Limits versions: Phase I locks, proposals (before → after, with an approve form for quality), approvals. */
async function loadLimits() {
  try { state.proposals = await api('/api/limits'); } catch { return; }
  $('limits').querySelector('tbody').replaceChildren(...state.proposals.slice().reverse().slice(0, 20).map((p) => {
    const tr = document.createElement('tr');
    tr.className = `limits ${p.state}`; tr.dataset.id = String(p.id); tr.dataset.series = p.series;
    tr.append(cell(p.series), cell(`${p.kind} · ${p.state}`), cell(p.kind === 'phase1' ? drawn(p.after) : `${drawn(p.before)} → ${drawn(p.after)}`, 'change'),
      cell(`${p.proposed_by}${p.approved_by ? `; approved by ${p.approved_by}` : ''}${p.reason ? `: ${p.reason}` : ''}`));
    const actions = document.createElement('td');
    if (p.state === 'proposed' && state.role === 'quality') {
      const form = document.createElement('form');
      form.className = 'approve';
      form.innerHTML = '<input name="secret" type="password" autocomplete="off" placeholder="signing secret"><button type="submit">Sign and approve</button>';
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        try { await api(`/api/limits/proposals/${p.id}/approve`, { method: 'POST', body: JSON.stringify({ signature: { secret: form.secret.value } }) }); toast(`limits of ${p.series} approved`); loadLimits(); loadAudit(); }
        catch (err) { toast(`approval refused: ${err.message}`); form.secret.value = ''; }
      });
      actions.append(form);
    }
    tr.append(actions);
    return tr;
  }));
}
$('limits-refresh').addEventListener('click', loadLimits);

/** Manual checks of the token's lines: due ones first, each with its instructions and an entry form (unit IDs scanned or typed, values). */
async function loadChecks() {
  let list, onTime;
  try { [list, onTime] = await Promise.all([api('/api/checks'), api('/api/checks/on-time')]); } catch { return; }
  $('checks-ontime').textContent = onTime.map((r) => `${r.line}/${r.station}: ${Math.round(r.rate * 100)}% on time (${r.onTime}/${r.done})`).join(' · ');
  $('checks').replaceChildren(...list.sort((a, b) => Number(b.overdue) - Number(a.overdue) || Number(b.due) - Number(a.due)).map((c) => {
    const div = document.createElement('div');
    div.className = `check ${c.overdue ? 'overdue' : c.due ? 'due' : 'ok'}`; div.dataset.id = c.id;
    const head = document.createElement('p');
    head.textContent = `${c.id} — ${c.line}/${c.station} ${c.parameter}: ${c.overdue ? 'OVERDUE' : c.due ? 'due' : 'not due'}${c.dueAt ? ` (due ${new Date(c.dueAt).toLocaleTimeString()})` : ` (${c.unitsSince}/${c.everyUnits} units)`} — ${c.instructions}${c.gauge ? ` [${c.gauge}]` : ''}`;
    const form = document.createElement('form');
    form.className = 'check-entry';
    for (let i = 0; i < c.sampleSize; i++) {
      const unit = document.createElement('input'); unit.name = `unit${i}`; unit.placeholder = `unit ${i + 1} (scan)`; unit.required = true;
      const value = document.createElement('input'); value.name = `value${i}`; value.placeholder = 'value'; value.inputMode = 'decimal'; value.required = true;
      if (c.plausible) { value.title = `plausible ${c.plausible.min ?? '−∞'} … ${c.plausible.max ?? '∞'}`; }
      form.append(unit, value);
    }
    const b = document.createElement('button'); b.type = 'submit'; b.textContent = 'Enter check'; form.append(b);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const entries = Array.from({ length: c.sampleSize }, (_, i) => ({ unit: form[`unit${i}`].value.trim(), value: Number(form[`value${i}`].value) }));
      try { const r = await api('/api/checks', { method: 'POST', body: JSON.stringify({ check: c.id, entries }) }); toast(`check ${c.id} entered (${r.onTime ? 'on time' : 'late'})`); loadChecks(); }
      catch (err) { toast(`check refused: ${err.message}`); }
    });
    div.append(head, form);
    return div;
  }));
}
setInterval(() => { if (state.token && state.role && state.role !== 'plc') loadChecks(); }, 5000);
$('propose').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = e.target, info = state.seriesInfo.get($('characteristic').value);
  if (!info) { toast('choose a chart first'); return; }
  const exclude = f.exclude.value.split(',').map((x) => x.trim()).filter(Boolean).map(Number);
  try {
    const p = await api('/api/limits/proposals', { method: 'POST', body: JSON.stringify({ characteristic: info.characteristic, ...(info.split ? { split: info.split } : {}), from: f.from.value.trim(), to: f.to.value.trim(), exclude, reason: f.reason.value.trim() }) });
    toast(`proposed for ${p.series}: center ${num(p.center)}, σ ${num(p.sigma)} from ${p.points} points`);
    loadLimits();
  } catch (err) { toast(`proposal refused: ${err.message}`); }
});
$('pareto-of').addEventListener('change', loadPareto);
$('trace').addEventListener('submit', async (e) => {
  e.preventDefault();
  const kind = $('trace-kind').value, id = $('trace-id').value.trim();
  const out = $('trace-result');
  try {
    const r = await api(`/api/trace/${kind}/${encodeURIComponent(id)}`);
    const pre = document.createElement('pre');
    if (kind === 'hold') pre.textContent = `${r.units.length} suspect units\nshared: ${r.commonCauses.slice(0, 5).map((c) => `${c.kind} ${c.value} (${Math.round(c.share * 100)}%)`).join(', ')}\nunits: ${r.units.join(', ')}`;
    else if (kind === 'lot') pre.textContent = r.units.map((u) => `${u.unit} last at ${u.station} (${u.line}) ${u.last_seen}`).join('\n') || 'no units';
    else pre.textContent = [...r.samples.map((s) => `${s.ts} ${s.line}/${s.station} ${s.parameter}=${s.value} lot ${s.lot ?? '-'} ${s.operator ?? ''} ${s.equipment ?? ''}`), ...r.holds.map((h) => `HOLD ${h.id} (${h.state})`)].join('\n') || 'no history';
    out.replaceChildren(pre);
  } catch (err) { out.textContent = err.message; }
});
// A link from `spc demo` carries the token in the fragment (never sent to the server in a URL).
const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromHash) { state.token = fromHash; sessionStorage.setItem('spc-token', fromHash); history.replaceState(null, '', location.pathname); }
if (state.token) { $('token').value = state.token; connect(); }
