// The live dashboard: renders each snapshot `webaccel serve` pushes over
// /dashboard/ws, and reconnects when the socket closes.

const fixed = (x, digits = 1) => (typeof x === 'number' ? x.toFixed(digits) : '');

function cell(text, numeric = false) {
  const td = document.createElement('td');
  td.textContent = text;
  if (numeric) td.className = 'num';
  return td;
}

function fill(tableId, rows, columns) {
  const body = document.querySelector(`#${tableId} tbody`);
  body.replaceChildren(...rows.map((row) => {
    const tr = document.createElement('tr');
    for (const col of columns) {
      const value = col(row);
      tr.append(value instanceof Node ? wrap(value) : cell(String(value), typeof value === 'number'));
    }
    return tr;
  }));
}

function wrap(node) {
  const td = document.createElement('td');
  td.append(node);
  return td;
}

function healthBar(score) {
  const span = document.createElement('span');
  const bar = document.createElement('span');
  bar.className = `bar ${score >= 70 ? 'good' : score >= 40 ? 'fair' : 'poor'}`;
  bar.style.width = `${Math.max(2, score * 0.6)}px`;
  span.append(bar, document.createTextNode(fixed(score, 0)));
  return span;
}

let previous = null;

export function render(snap) {
  const t = snap.totals;
  document.getElementById('total-requests').textContent = t.requests;
  document.getElementById('total-failures').textContent = t.failures;
  document.getElementById('total-pending').textContent = t.pending;
  document.getElementById('total-recycled').textContent = t.recycled;
  if (previous && snap.at_ms > previous.at_ms) {
    const rate = ((t.requests - previous.totals.requests) * 1000) / (snap.at_ms - previous.at_ms);
    document.getElementById('total-rate').textContent = fixed(rate);
  }
  previous = snap;
  fill('browsers', snap.browsers, [
    (b) => b.node, (b) => b.kind, (b) => b.pid, (b) => b.state, (b) => healthBar(b.score), (b) => b.breaker,
    (b) => b.requests, (b) => b.in_flight, (b) => fixed(b.latency_p50_ms), (b) => fixed(b.latency_p99_ms),
    (b) => fixed(b.heartbeat_ms), (b) => fixed(b.memory_bytes / 1048576, 0), (b) => b.models.join(', '),
  ]);
  fill('nodes', snap.nodes || [], [
    (n) => n.name, (n) => n.address, (n) => n.state, (n) => n.epoch, (n) => n.rejoins,
    (n) => n.browsers, (n) => n.lost_reason,
  ]);
  fill('models', snap.models, [
    (m) => m.name, (m) => m.state, (m) => m.success, (m) => m.failure, (m) => m.pending,
    (m) => fixed(m.mean_ms), (m) => fixed(m.queue_ms), (m) => fixed(m.compute_ms),
  ]);
  fill('platforms', snap.platforms, [
    (p) => p.platform, (p) => p.requests, (p) => p.failures, (p) => fixed(p.latency_p50_ms), (p) => fixed(p.latency_p99_ms),
  ]);
  const events = document.getElementById('events');
  events.replaceChildren(...snap.events.slice().reverse().map((e) => {
    const li = document.createElement('li');
    li.textContent = `${new Date(e.at_ms).toISOString().slice(11, 19)}  ${e.kind}: ${e.text}`;
    return li;
  }));
  // How long the snapshot took from the server to the screen (same clock
  // when the page runs on the serving machine).
  document.body.dataset.lagMs = String(Date.now() - snap.at_ms);
  document.body.dataset.snapshots = String(Number(document.body.dataset.snapshots || 0) + 1);
}

function connect() {
  const status = document.getElementById('status');
  const token = new URLSearchParams(location.search).get('token');
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${location.host}/dashboard/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  const ws = new WebSocket(url);
  ws.onopen = () => { status.textContent = 'live'; status.className = 'live'; };
  ws.onmessage = (m) => {
    status.textContent = `live, updated ${new Date().toISOString().slice(11, 19)}`;
    render(JSON.parse(m.data));
  };
  ws.onclose = () => {
    status.textContent = 'disconnected, retrying';
    status.className = 'down';
    setTimeout(connect, 1000);
  };
}

connect();
