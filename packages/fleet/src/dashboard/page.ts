// The dashboard's page: plain HTML, one stylesheet and one script (no framework, no build step, nothing
// inline, so the Content-Security-Policy can forbid inline script). Every value from the server is put in
// the page with textContent, never as HTML.
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function loginPage(failed: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Tidemark fleet · log in</title><link rel="stylesheet" href="/app.css"></head>
<body class="login"><form method="post" action="/login" class="card">
<h1>Tidemark fleet</h1><p class="muted">Administrators only. Log in with the admin token.</p>
${failed ? '<p class="error" role="alert">That token is not valid.</p>' : ''}
<label for="token">Admin token</label><input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit" class="primary">Log in</button></form></body></html>`;
}

export function fleetPage(o: { csrf: string; syncRoot: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="csrf-token" content="${esc(o.csrf)}">
<title>Tidemark fleet</title><link rel="stylesheet" href="/app.css"><script src="/app.js" defer></script></head>
<body>
<header><h1>Tidemark <span>fleet</span></h1><div id="summary" class="muted" aria-live="polite"></div>
<div class="right"><span id="live" class="live off" title="live status stream">● live</span><button id="logout" type="button">Log out</button></div></header>
<div class="layout"><main>
<section class="toolbar" aria-label="filters">
<input id="q" type="search" placeholder="Search run id or config…" aria-label="search">
<select id="status" aria-label="last status"><option value="">Any status</option></select>
<select id="trait" aria-label="trait"><option value="">Any trait</option></select>
<select id="version" aria-label="version"><option value="">Any version</option></select>
<select id="source" aria-label="source host"><option value="">Any source</option></select>
<select id="owner" aria-label="owner"><option value="">Any owner</option></select>
<select id="sort" aria-label="sort"><option value="run">Sort: run</option><option value="updated">Sort: recently updated</option><option value="version">Sort: version</option><option value="status">Sort: status</option></select>
</section>
<section class="bulk" aria-label="actions on selected runs"><span id="selected">0 selected</span>
<button type="button" data-bulk="migration" class="primary">Run migration</button><button type="button" data-bulk="validate">Validate only</button><button type="button" data-bulk="restore" class="warn">Restore last archive</button>
<span id="notice" role="status"></span></section>
<div class="tablewrap"><table id="fleet"><thead><tr>
<th class="c"><input id="all" type="checkbox" aria-label="select page"></th><th>Run</th><th>Config</th><th>Version</th><th>Traits detected</th><th>Planned</th><th>Last status</th><th>Archives</th><th>Actions</th>
</tr></thead><tbody id="rows"></tbody></table></div>
<nav class="pager" aria-label="pages"><button id="prev" type="button">‹ Prev</button><span id="range"></span><button id="next" type="button">Next ›</button></nav>
</main>
<aside>
<details id="syncbox" open><summary>Sync + register</summary>
<form id="sync" autocomplete="off">
<label>Source host<input name="sourceHost" value="wepp.cloud" required></label>
<label>Run id<input name="runid" required pattern="[A-Za-z0-9][A-Za-z0-9_.\\-]*"></label>
<label>Config<input name="config" required placeholder="disturbed9002"></label>
<label>Target root<input name="targetRoot" value="${esc(o.syncRoot)}"></label>
<label>Owner email<input name="ownerEmail" type="email"></label>
<label>Auth token<input name="authToken" type="password" autocomplete="off"></label>
<label class="check"><input name="allowPush" type="checkbox"> Allow push (dev → prod, needs a token)</label>
<label class="check"><input name="overwrite" type="checkbox"> Overwrite an existing run</label>
<button type="submit" class="primary">Sync + register</button></form></details>
<section class="events"><h2>Live events</h2><ol id="events" aria-live="polite"></ol></section>
</aside></div>
</body></html>`;
}

export const APP_CSS = `
:root{--bg:#f6f7f9;--card:#fff;--ink:#1d2330;--muted:#667085;--line:#e4e7ec;--accent:#1f6feb;--ok:#137333;--bad:#b42318;--warn:#b54708;--run:#6941c6}
*{box-sizing:border-box}body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
header{display:flex;align-items:center;gap:16px;padding:10px 18px;background:#0f172a;color:#fff}header h1{font-size:17px;margin:0}header h1 span{font-weight:400;opacity:.7}
header .muted{color:#cbd5e1}header .right{margin-left:auto;display:flex;gap:10px;align-items:center}
.live{font-size:12px}.live.on{color:#4ade80}.live.off{color:#f87171}
.layout{display:grid;grid-template-columns:minmax(0,1fr) 290px;gap:14px;padding:14px 18px}
main,aside>*{background:var(--card);border:1px solid var(--line);border-radius:8px}
main{padding:10px 12px;min-width:0}aside{display:flex;flex-direction:column;gap:14px;min-width:0}
.toolbar,.bulk{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin-bottom:8px}
.toolbar input[type=search]{flex:1 1 220px}
input,select,button{font:inherit;padding:5px 9px;border:1px solid var(--line);border-radius:6px;background:#fff;color:var(--ink)}
button{cursor:pointer}button:hover{border-color:#98a2b3}button:disabled{opacity:.45;cursor:default}
button.primary{background:var(--accent);border-color:var(--accent);color:#fff}button.warn{color:var(--warn);border-color:#fedf89}
#selected{color:var(--muted);min-width:86px}#notice{color:var(--muted);font-size:13px}#notice.bad{color:var(--bad)}
.tablewrap{overflow:auto;max-height:calc(100vh - 215px);border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:6px 7px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{position:sticky;top:0;background:#f9fafb;font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.03em;color:#475467;z-index:1}
td.c,th.c{width:28px;text-align:center}tr:hover td{background:#f9fbff}
.run{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-weight:600}.dir{display:block;color:var(--muted);font-size:11px;max-width:170px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600;background:#f2f4f7;color:#344054;white-space:nowrap}
.badge.ok{background:#e6f4ea;color:var(--ok)}.badge.bad{background:#fde8e7;color:var(--bad)}.badge.run{background:#f0ebff;color:var(--run)}.badge.queued{background:#eef4ff;color:var(--accent)}
.badge.legacy{background:#fff4e5;color:var(--warn)}
.chip{display:inline-block;white-space:nowrap;margin:0 3px 3px 0;padding:0 5px;border:1px solid var(--line);border-radius:4px;font-size:12px;background:#fcfcfd}
.msg{display:block;color:var(--muted);font-size:12px;max-width:165px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.bar{height:4px;background:#eaecf0;border-radius:2px;margin-top:4px;max-width:160px}.bar i{display:block;height:100%;background:var(--run);border-radius:2px}
td.actions{white-space:nowrap}td.arch .msg{max-width:120px}td.actions button{padding:2px 6px;font-size:12px;margin-right:2px}
.pager{display:flex;gap:12px;align-items:center;justify-content:flex-end;margin-top:8px;color:var(--muted)}
details summary{cursor:pointer;font-weight:600;padding:10px 12px}#sync{display:flex;flex-direction:column;gap:8px;padding:0 12px 12px}
#sync label{display:flex;flex-direction:column;gap:3px;font-size:12px;color:#475467}#sync label.check{flex-direction:row;align-items:center;gap:6px}
.events{padding:10px 12px}.events h2{font-size:14px;margin:0 0 6px}#events{list-style:none;margin:0;padding:0;max-height:46vh;overflow:auto;font-size:12px}
#events li{padding:3px 0;border-bottom:1px dashed var(--line)}#events b{font-family:ui-monospace,monospace}#events .t{color:var(--muted);margin-right:4px}
.muted{color:var(--muted)}.empty{padding:28px;text-align:center;color:var(--muted)}
body.login{display:grid;place-items:center;min-height:100vh}.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:26px;display:flex;flex-direction:column;gap:10px;width:340px}
.card h1{margin:0;font-size:20px}.error{color:var(--bad);margin:0}
@media (max-width:1000px){.layout{grid-template-columns:1fr}}
`;

export const APP_JS = `'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name=csrf-token]').content;
  const state = { q: '', status: '', trait: '', version: '', source: '', owner: '', sort: 'run', page: 1, size: 100, pages: 1 };
  const selected = new Set();
  const rowsById = new Map();
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = String(text); return e; };

  const statusBadge = (row) => {
    const live = row.live;
    const s = row.lastStatus || 'never run';
    const fam = s.split(':')[0];
    const cls = live && !['COMPLETE', 'EXCEPTION'].includes(live.event) ? (live.event === 'ENQUEUED' ? 'queued' : 'run')
      : fam === 'migrated' || fam === 'restored' || fam === 'synced' || s === 'validated:valid' || fam === 'unchanged' ? 'ok'
      : fam === 'failed' || s === 'validated:invalid' ? 'bad' : fam === 'queued' ? 'queued' : fam === 'running' ? 'run' : '';
    return el('span', 'badge ' + cls, s);
  };

  function statusCell(td, row) {
    td.replaceChildren(statusBadge(row));
    const live = row.live;
    if (!live) { if (row.lastError) td.append(el('span', 'msg', row.lastError)); return; }
    let text = live.event;
    if (live.migration) text += ' · ' + live.migration + (live.index ? ' (' + live.index + '/' + live.total + ')' : '');
    if (live.message) text += ' · ' + live.message;
    const msg = el('span', 'msg', text); msg.title = text; td.append(msg);
    const frac = live.total ? (live.done !== undefined ? live.done / live.total : live.index ? (live.index - (live.event === 'STEP_COMPLETE' ? 0 : 1)) / live.total : 0) : null;
    if (frac !== null && !['COMPLETE', 'EXCEPTION'].includes(live.event)) { const bar = el('div', 'bar'); const i = el('i'); i.style.width = Math.round(Math.min(1, frac) * 100) + '%'; bar.append(i); td.append(bar); }
  }

  function renderRow(row) {
    const tr = el('tr'); tr.dataset.run = row.runId;
    const c = el('td', 'c'); const box = el('input'); box.type = 'checkbox'; box.checked = selected.has(row.runId); box.setAttribute('aria-label', 'select ' + row.runId);
    box.addEventListener('change', () => { box.checked ? selected.add(row.runId) : selected.delete(row.runId); showSelected(); }); c.append(box);
    const run = el('td'); run.append(el('span', 'run', row.runId)); const dir = el('span', 'dir', row.dir); dir.title = row.dir; run.append(dir);
    const ver = el('td'); ver.append(el('span', 'badge ' + (row.version === 0 ? 'legacy' : row.version > 1000 ? 'ok' : ''), row.version === null ? '?' : row.version === 0 ? '0 · legacy' : row.version));
    if (row.readonly) ver.append(el('span', 'msg', 'READONLY'));
    const traits = el('td'); if (row.traits === null) traits.append(el('span', 'muted', 'not scanned')); else if (!row.traits.length) traits.append(el('span', 'muted', 'none')); else for (const t of (row.traitInfo || row.traits.map((id) => ({ id, title: id, fixes: [] })))) { const chip = el('span', 'chip', t.id); chip.title = t.title + (t.external ? ' (needs ' + t.external + ')' : t.fixes.length ? ' → fixed by ' + t.fixes.join(', ') : ''); traits.append(chip, el('span', 'msg', t.title)); }
    const planned = el('td'); if (!row.planned || !row.planned.length) planned.append(el('span', 'muted', row.traits === null ? '—' : 'nothing')); else { for (const m of row.planned) { const chip = el('span', 'chip', m.id); chip.title = m.title; planned.append(chip); } planned.append(el('span', 'msg', '→ version ' + (row.resultingVersion ?? '?'))); }
    const status = el('td', 'status'); statusCell(status, row);
    const arch = el('td', 'arch'); arch.append(el('span', '', row.archives.length ? row.archives.length + ' archive' + (row.archives.length > 1 ? 's' : '') : '—'));
    if (row.archives.length) { const n = el('span', 'msg', row.archives[0]); n.title = row.archives.join('\\n'); arch.append(n); }
    const act = el('td', 'actions');
    const mk = (label, action, disabled) => { const b = el('button', action === 'restore' ? 'warn' : '', label); b.type = 'button'; b.disabled = !!disabled; b.addEventListener('click', () => act_(action, [row.runId])); return b; };
    act.append(mk('Migrate', 'migration', row.readonly), mk('Validate', 'validate'), mk('Restore', 'restore', !row.archives.length || row.readonly));
    tr.append(c, run, el('td', '', row.config || '—'), ver, traits, planned, status, arch, act);
    return tr;
  }

  function fillSelect(sel, counts, label) {
    const keep = sel.value; sel.replaceChildren(el('option', '', label)); sel.firstChild.value = '';
    for (const [k, n] of Object.entries(counts).sort((a, b) => b[1] - a[1])) { const o = el('option', '', k + ' (' + n.toLocaleString() + ')'); o.value = k; sel.append(o); }
    if (keep && !counts[keep]) { const o = el('option', '', keep + ' (0)'); o.value = keep; sel.append(o); }
    sel.value = keep;
  }

  let inflight = null;
  async function load() {
    const params = new URLSearchParams({ page: state.page, size: state.size, sort: state.sort });
    for (const k of ['q', 'status', 'trait', 'version', 'source', 'owner']) if (state[k]) params.set(k, state[k]);
    inflight?.abort(); inflight = new AbortController();
    let data;
    try { const res = await fetch('/api/runs?' + params, { signal: inflight.signal }); if (res.status === 401) return location.assign('/login'); data = await res.json(); } catch (e) { if (e.name !== 'AbortError') note('could not load runs: ' + e.message, true); return; }
    state.page = data.page; state.pages = Math.max(1, Math.ceil(data.total / data.size));
    rowsById.clear();
    const body = $('rows');
    if (!data.rows.length) { const tr = el('tr'); const td = el('td', 'empty', data.all ? 'No run matches these filters.' : 'No runs indexed yet. Run “tidemark fleet index <root>” or start the dashboard with --root.'); td.colSpan = 9; tr.append(td); body.replaceChildren(tr); }
    else body.replaceChildren(...data.rows.map((r) => { rowsById.set(r.runId, r); return renderRow(r); }));
    const from = data.total ? (data.page - 1) * data.size + 1 : 0;
    $('range').textContent = from.toLocaleString() + '–' + Math.min(data.total, data.page * data.size).toLocaleString() + ' of ' + data.total.toLocaleString() + (data.total !== data.all ? ' (filtered from ' + data.all.toLocaleString() + ')' : '') + ' · page ' + data.page + '/' + state.pages;
    $('prev').disabled = data.page <= 1; $('next').disabled = data.page >= state.pages;
    fillSelect($('status'), data.facets.statuses, 'Any status'); fillSelect($('trait'), data.facets.traits, 'Any trait'); fillSelect($('version'), data.facets.versions, 'Any version'); fillSelect($('source'), data.facets.sources, 'Any source'); fillSelect($('owner'), data.facets.owners, 'Any owner');
    $('summary').textContent = data.all.toLocaleString() + ' runs' + (data.indexing && data.indexing.running ? ' · indexing ' + data.indexing.done + '/' + data.indexing.total : '') + ' · query ' + data.tookMs + ' ms';
    $('all').checked = data.rows.length > 0 && data.rows.every((r) => selected.has(r.runId));
  }

  let timer = null;
  const reload = (resetPage) => { if (resetPage) state.page = 1; clearTimeout(timer); timer = setTimeout(load, 120); };
  const showSelected = () => { $('selected').textContent = selected.size.toLocaleString() + ' selected'; for (const b of document.querySelectorAll('[data-bulk]')) b.disabled = selected.size === 0; };
  function note(text, bad) { const n = $('notice'); n.textContent = text; n.className = bad ? 'bad' : ''; }

  async function post(path, body) {
    const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(body) });
    if (res.status === 401) { location.assign('/login'); throw new Error('session expired'); }
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.error || res.statusText);
    return data;
  }
  const names = { migration: 'Run migration', validate: 'Validate only', restore: 'Restore last archive' };
  async function act_(action, runIds) {
    if (action === 'restore' && !confirm('Restore the last archive of ' + (runIds.length === 1 ? runIds[0] : runIds.length + ' runs') + '? Changes made since that archive are discarded.')) return;
    try { const r = await post('/api/jobs', { action, runIds }); note(names[action] + ': ' + r.added + ' enqueued' + (r.collapsed ? ', ' + r.collapsed + ' already had a job' : '')); }
    catch (e) { note(names[action] + ' failed: ' + e.message, true); }
  }

  for (const id of ['status', 'trait', 'version', 'source', 'owner', 'sort']) $(id).addEventListener('change', () => { state[id] = $(id).value; reload(true); });
  $('q').addEventListener('input', () => { state.q = $('q').value; reload(true); });
  $('prev').addEventListener('click', () => { state.page--; load(); });
  $('next').addEventListener('click', () => { state.page++; load(); });
  $('all').addEventListener('change', () => { for (const id of rowsById.keys()) $('all').checked ? selected.add(id) : selected.delete(id); for (const b of document.querySelectorAll('#rows input[type=checkbox]')) b.checked = $('all').checked; showSelected(); });
  for (const b of document.querySelectorAll('[data-bulk]')) b.addEventListener('click', () => act_(b.dataset.bulk, [...selected]));
  $('logout').addEventListener('click', async () => { await post('/logout', {}).catch(() => 0); location.assign('/login'); });
  $('sync').addEventListener('submit', async (ev) => {
    ev.preventDefault(); const f = new FormData(ev.target); const body = Object.fromEntries([...f.entries()].filter(([k]) => k !== 'allowPush' && k !== 'overwrite'));
    body.allowPush = f.has('allowPush'); body.overwrite = f.has('overwrite');
    try { const r = await post('/api/run-sync', body); note('Sync + register ' + body.runid + ': ' + (r.added ? 'enqueued' : 'already queued')); ev.target.authToken.value = ''; }
    catch (e) { note('Sync + register refused: ' + e.message, true); }
  });

  function logEvent(m) {
    const li = el('li'); li.append(el('span', 't', new Date(m.at).toLocaleTimeString()), el('b', '', m.runId), document.createTextNode(' ' + m.channel.slice(m.runId.length + 1) + ' '), el('span', 'badge ' + (m.event === 'COMPLETE' ? 'ok' : m.event === 'EXCEPTION' ? 'bad' : ''), m.event));
    if (m.message) li.append(document.createTextNode(' ' + m.message));
    const list = $('events'); list.prepend(li); while (list.children.length > 200) list.lastChild.remove();
  }
  function connect() {
    const es = new EventSource('/api/events');
    es.onopen = () => { $('live').className = 'live on'; };
    es.onerror = () => { $('live').className = 'live off'; };
    es.onmessage = (e) => {
      const m = JSON.parse(e.data); logEvent(m);
      const row = rowsById.get(m.runId); if (!row) return;
      row.live = { event: m.event, at: m.at, job: m.job, migration: m.migration, index: m.index, total: m.total, done: m.done, message: m.message };
      if (m.event === 'ENQUEUED') row.lastStatus = 'queued:' + (m.job || 'migration'); else if (m.event === 'STARTED') row.lastStatus = 'running:' + (m.job || 'migration');
      const tr = document.querySelector('tr[data-run="' + CSS.escape(m.runId) + '"]'); if (tr) statusCell(tr.querySelector('td.status'), row);
    };
    es.addEventListener('row', (e) => {
      const row = JSON.parse(e.data); if (!rowsById.has(row.runId)) return; rowsById.set(row.runId, row);
      const tr = document.querySelector('tr[data-run="' + CSS.escape(row.runId) + '"]'); if (tr) tr.replaceWith(renderRow(row));
    });
  }
  showSelected(); load(); connect();
})();
`;
