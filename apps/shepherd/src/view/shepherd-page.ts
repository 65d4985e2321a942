/**
 * The shepherd's page: plain HTML, a little CSS and a script, no front-end build. It reads
 * /herd/events (server-sent events, one snapshot per cycle) and falls back to polling /herd.
 * Every value from the herd goes through textContent or esc(): instance metadata is never HTML.
 */
export const SHEPHERD_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Herd — shepherd</title>
<style>
  :root { --bg:#f6f7f4; --card:#fff; --ink:#1f2a1f; --dim:#6b756b; --ok:#2e8b57; --warn:#d99a00; --bad:#c0392b; --line:#e1e4dc; --accent:#3b6ea5; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.4 system-ui, sans-serif; background:var(--bg); color:var(--ink); }
  header { display:flex; gap:16px; align-items:baseline; padding:10px 18px; background:#243b24; color:#f0f3ec; flex-wrap:wrap; }
  header h1 { font-size:18px; margin:0; }
  header .src { color:#c4cfbf; font-size:12px; }
  #live { margin-left:auto; font-size:12px; }
  #live.on::before { content:"● "; color:#7fdc8f; } #live.off::before { content:"● "; color:#ff8a7a; }
  main { padding:14px 18px; display:grid; grid-template-columns: minmax(0,2fr) minmax(0,1fr); gap:14px; }
  @media (max-width: 1100px) { main { grid-template-columns: 1fr; } }
  section.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:10px 12px; margin-bottom:12px; }
  h2 { font-size:15px; margin:0 0 6px; display:flex; gap:10px; align-items:baseline; flex-wrap:wrap; }
  h2 .count { font-weight:normal; color:var(--dim); }
  h3 { font-size:12px; margin:8px 0 4px; color:var(--dim); text-transform:uppercase; letter-spacing:.04em; }
  .versions { display:flex; gap:10px; flex-wrap:wrap; }
  .version { flex:1 1 280px; border:1px solid var(--line); border-radius:6px; padding:6px 8px; }
  .version > b { font-size:12px; color:var(--accent); }
  table { border-collapse:collapse; width:100%; font-size:12.5px; }
  td, th { text-align:left; padding:2px 6px 2px 0; vertical-align:top; }
  th { color:var(--dim); font-weight:600; }
  td.num, th.num { text-align:right; font-variant-numeric: tabular-nums; }
  .dot { display:inline-block; width:9px; height:9px; border-radius:50%; margin-right:4px; }
  .passing { background:var(--ok); } .warning { background:var(--warn); } .critical { background:var(--bad); }
  .tag { font-size:11px; padding:1px 6px; border-radius:9px; background:#eef1ea; color:var(--dim); }
  .act-scale-out { color:var(--accent); font-weight:600; } .act-scale-in { color:#8a5a00; font-weight:600; } .act-none { color:var(--dim); }
  .failed { color:var(--bad); font-weight:600; }
  .reason { color:var(--ink); }
  .links a { color:var(--accent); margin-right:6px; font-size:12px; }
  .muted { color:var(--dim); }
  .error { background:#fdecea; color:var(--bad); padding:6px 10px; border-radius:6px; margin:0 0 10px; }
  svg.chart { width:100%; height:70px; display:block; }
  .legend span { margin-right:10px; font-size:12px; }
</style>
</head>
<body>
<header>
  <h1>Herd — shepherd</h1>
  <span class="src" id="sources"></span>
  <span id="live" class="off">connecting…</span>
</header>
<main>
  <div>
    <div id="error"></div>
    <div id="services"></div>
  </div>
  <div>
    <section class="card"><h2>Instances, last hour</h2><div id="chart-instances"></div></section>
    <section class="card"><h2>Consumer lag, last hour</h2><div id="chart-lag"></div></section>
    <section class="card"><h2>Backlog, last hour</h2><div id="chart-backlog"></div></section>
    <section class="card"><h2>Autoscaler decisions</h2><div id="decisions"></div></section>
  </div>
</main>
<script>
(function () {
  var COLORS = ['#3b6ea5', '#2e8b57', '#c0392b', '#8e44ad', '#d99a00', '#16a085', '#7f8c8d'];
  function esc(v) { return String(v == null ? '' : v).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); }
  function pct(v) { return v == null ? '—' : v.toFixed(1) + '%'; }
  function mb(v) { return v == null ? '—' : v.toFixed(0) + ' MB'; }
  function time(t) { return new Date(t).toLocaleTimeString(); }
  function safeHref(u) { return /^https?:\\/\\//.test(u) ? esc(u) : '#'; }

  function instanceRows(instances) {
    return '<table><tr><th>instance</th><th>address</th><th class="num">CPU</th><th class="num">memory</th><th></th></tr>' +
      instances.map(function (i) {
        return '<tr data-instance="' + esc(i.id) + '"><td><span class="dot ' + esc(i.health) + '" title="' + esc(i.health) + '"></span>' + esc(i.id) + '</td>' +
          '<td>' + esc(i.address) + ':' + esc(i.port) + '</td><td class="num">' + pct(i.cpuPercent) + '</td><td class="num">' + mb(i.memoryMb) + '</td>' +
          '<td class="links"><a href="' + safeHref(i.links.docs) + '" target="_blank">docs</a><a href="' + safeHref(i.links.metrics) + '" target="_blank">metrics</a></td></tr>';
      }).join('') + '</table>';
  }

  function scaling(s) {
    if (!s) return '';
    var bits = ['min ' + s.minInstances, 'max ' + s.maxInstances];
    if (s.cpuPercent != null) bits.push('CPU ' + pct(s.cpuPercent));
    if (s.memoryPercent != null) bits.push('memory ' + pct(s.memoryPercent));
    if (s.lag != null) bits.push('lag ' + s.lag + (s.lagTargetPerInstance ? ' (target ' + s.lagTargetPerInstance + '/instance)' : ''));
    if (s.backlog != null) bits.push('backlog ' + s.backlog + (s.backlogTargetPerInstance ? ' (target ' + s.backlogTargetPerInstance + '/instance)' : ''));
    if (s.inFlight) bits.push('deployment in flight');
    var d = s.decision;
    return '<h3>Autoscaler</h3><div class="muted">' + esc(bits.join(' · ')) + '</div>' +
      '<div><span class="act-' + esc(d.action) + '">' + esc(d.action === 'none' ? 'no action' : d.action + ' → ' + d.toInstances) + '</span> ' +
      '<span class="tag">' + esc(d.cause) + '</span> <span class="reason">' + esc(d.reason) + '</span></div>';
  }

  function sagaStates(st) {
    if (!st) return '';
    var states = Object.keys(st.counts).filter(function (k) { return st.counts[k] > 0; });
    var rows = st.failed.concat(st.compensated);
    if (!states.length && !st.parked.length) return '';
    return '<h3>Sagas in its database</h3><div class="muted saga-counts">' + states.map(function (k) {
        return '<span class="' + (k === 'FAILED' ? 'failed' : '') + '">' + esc(k) + ' ' + st.counts[k] + '</span>';
      }).join(' · ') + ' <span class="tag">read from ' + esc(st.readFrom) + '</span></div>' +
      (rows.length ? '<table class="saga-failures"><tr><th>state</th><th>saga</th><th>step</th><th>why</th><th>when</th></tr>' + rows.map(function (r) {
        return '<tr data-saga="' + esc(r.id) + '"><td class="' + (r.state === 'FAILED' ? 'failed' : 'muted') + '">' + esc(r.state) + '</td><td title="' + esc(r.id) + '">' + esc(r.sagaType) +
          '</td><td>' + esc(r.currentStep || '—') + '</td><td class="reason">' + esc(r.failureReason || '—') + '</td><td>' + time(r.updatedAt) + '</td></tr>';
      }).join('') + '</table>' : '') +
      (st.parked.length ? '<h3>Parked outbox rows</h3><table class="saga-parked"><tr><th>topic</th><th>why</th><th class="num">attempts</th><th>parked</th></tr>' + st.parked.map(function (p) {
        return '<tr><td>' + esc(p.topic) + '</td><td class="reason">' + esc(p.reason) + '</td><td class="num failed">' + esc(p.attempts) + '</td><td>' + time(p.parkedAt) + '</td></tr>';
      }).join('') + '</table>' : '');
  }

  function sagas(list, dead) {
    var html = '';
    if (list.length) {
      html += '<h3>Sagas (since these instances started)</h3><table><tr><th>saga</th><th class="num">running</th><th class="num">completed</th><th class="num">compensated</th><th class="num">failed (parked)</th></tr>' +
        list.map(function (s) {
          return '<tr><td>' + esc(s.saga) + '</td><td class="num">' + s.running + '</td><td class="num">' + s.completed + '</td><td class="num">' + s.compensated +
            '</td><td class="num' + (s.failed ? ' failed' : '') + '">' + s.failed + '</td></tr>';
        }).join('') + '</table>';
    }
    if (dead.length) {
      html += '<h3>Dead letters</h3><table><tr><th>topic</th><th>reason</th><th class="num">count</th></tr>' +
        dead.map(function (d) { return '<tr><td>' + esc(d.topic) + '</td><td>' + esc(d.reason) + '</td><td class="num failed">' + d.count + '</td></tr>'; }).join('') + '</table>';
    }
    return html;
  }

  function services(list) {
    return list.map(function (s) {
      var all = [].concat.apply([], s.versions.map(function (v) { return v.instances; }));
      var passing = all.filter(function (i) { return i.health === 'passing'; }).length;
      var wanted = s.scaling ? s.scaling.instances : all.length;
      return '<section class="card" data-service="' + esc(s.name) + '"><h2>' + esc(s.name) +
        ' <span class="count">' + passing + ' of ' + wanted + ' healthy</span></h2>' +
        '<div class="versions">' + s.versions.map(function (v) {
          var serving = v.instances.filter(function (i) { return i.health !== 'critical'; });
          var down = v.instances.filter(function (i) { return i.health === 'critical'; });
          return '<div class="version"><b>v' + esc(v.version) + '</b> <span class="muted">' + serving.length + ' serving</span>' + instanceRows(serving) +
            (down.length ? '<div class="muted down">not serving (checks critical, Consul drops them after a minute): ' + down.map(function (i) { return esc(i.id); }).join(', ') + '</div>' : '') + '</div>';
        }).join('') + (s.versions.length ? '' : '<div class="muted">no instance registered</div>') + '</div>' +
        scaling(s.scaling) + sagaStates(s.sagaStates) + sagas(s.sagas, s.deadLetters) + '</section>';
    }).join('');
  }

  function chart(history, field) {
    var names = {};
    history.forEach(function (p) { Object.keys(p[field]).forEach(function (n) { names[n] = true; }); });
    var keys = Object.keys(names).sort();
    if (history.length < 2 || !keys.length) return '<div class="muted">collecting…</div>';
    var t0 = history[0].at, t1 = history[history.length - 1].at, max = 1;
    history.forEach(function (p) { keys.forEach(function (k) { max = Math.max(max, p[field][k] || 0); }); });
    var W = 400, H = 64;
    var lines = keys.map(function (k, n) {
      var pts = history.map(function (p) {
        var x = ((p.at - t0) / Math.max(1, t1 - t0)) * W, y = H - ((p[field][k] || 0) / max) * (H - 4) - 2;
        return x.toFixed(1) + ',' + y.toFixed(1);
      }).join(' ');
      return '<polyline fill="none" stroke-width="2" stroke="' + COLORS[n % COLORS.length] + '" points="' + pts + '"/>';
    }).join('');
    var last = history[history.length - 1][field];
    return '<svg class="chart" viewBox="0 0 ' + W + ' ' + H + '" preserveAspectRatio="none">' + lines + '</svg>' +
      '<div class="legend">' + keys.map(function (k, n) {
        return '<span style="color:' + COLORS[n % COLORS.length] + '">■ ' + esc(k) + ' ' + esc(last[k] == null ? '—' : last[k]) + '</span>';
      }).join('') + '<span class="muted">max ' + max + ', ' + time(t0) + '–' + time(t1) + '</span></div>';
  }

  function decisions(list) {
    if (!list.length) return '<div class="muted">no scale-out or scale-in yet</div>';
    return '<table id="decision-table"><tr><th>time</th><th>app</th><th>action</th><th>why</th></tr>' + list.map(function (d) {
      return '<tr><td>' + time(d.at) + '</td><td>' + esc(d.app) + '</td><td class="act-' + esc(d.action) + '">' + esc(d.action) + ' ' + d.fromInstances + '→' + d.toInstances +
        (d.outcome === 'applied' ? '' : ' <span class="tag' + (d.outcome === 'failed' ? ' failed' : '') + '">' + esc(d.outcome) + '</span>') +
        '</td><td><span class="tag">' + esc(d.cause) + '</span> ' + esc(d.reason) + '</td></tr>';
    }).join('') + '</table>';
  }

  function render(s) {
    document.getElementById('sources').textContent = 'herd: ' + s.sources.herd + ' · metrics: ' + s.sources.metrics + ' · target: ' + s.sources.target + ' · ' + time(s.at);
    document.getElementById('error').innerHTML = s.error ? '<div class="error">' + esc(s.error) + '</div>' : '';
    document.getElementById('services').innerHTML = services(s.services);
    document.getElementById('chart-instances').innerHTML = chart(s.history, 'instances');
    document.getElementById('chart-lag').innerHTML = chart(s.history, 'lag');
    document.getElementById('chart-backlog').innerHTML = chart(s.history, 'backlog');
    document.getElementById('decisions').innerHTML = decisions(s.decisions);
    document.body.setAttribute('data-updated', String(s.at));
  }

  var live = document.getElementById('live'), poll;
  function status(on, text) { live.className = on ? 'on' : 'off'; live.textContent = text; }
  function startPolling() {
    if (poll) return;
    poll = setInterval(function () {
      fetch('herd').then(function (r) { return r.json(); }).then(function (s) { render(s); status(true, 'polling'); }, function () { status(false, 'shepherd unreachable'); });
    }, 5000);
  }
  if (window.EventSource) {
    var events = new EventSource('herd/events');
    events.addEventListener('herd', function (e) { render(JSON.parse(e.data)); status(true, 'live'); });
    events.onerror = function () { status(false, 'reconnecting…'); };
  } else {
    startPolling();
  }
  fetch('herd').then(function (r) { return r.json(); }).then(render, startPolling);
})();
</script>
</body>
</html>
`;
