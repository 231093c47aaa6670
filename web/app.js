/*
 * app.js - the dyad dashboard: filters, a timeline (uPlot), an actor
 * network (Cytoscape.js), an event table and the evidence of one event.
 *
 * Plain JavaScript (ES2017), no build step. Every request goes to this
 * page's own server (/api/...); the page loads nothing from elsewhere.
 * Text from the store is always put in the page as text, never as HTML.
 */
(function () {
  'use strict';

  var CAMEO_ROOTS = [
    ['01', 'Make public statement'], ['02', 'Appeal'], ['03', 'Express intent to cooperate'],
    ['04', 'Consult'], ['05', 'Engage in diplomatic cooperation'],
    ['06', 'Engage in material cooperation'], ['07', 'Provide aid'], ['08', 'Yield'],
    ['09', 'Investigate'], ['10', 'Demand'], ['11', 'Disapprove'], ['12', 'Reject'],
    ['13', 'Threaten'], ['14', 'Protest'], ['15', 'Exhibit force posture'],
    ['16', 'Reduce relations'], ['17', 'Coerce'], ['18', 'Assault'], ['19', 'Fight'],
    ['20', 'Use unconventional mass violence']
  ];
  var PLOVER_TYPES = ['AGREE', 'CONSULT', 'SUPPORT', 'CONCEDE', 'COOPERATE', 'AID', 'RETREAT',
    'REQUEST', 'ACCUSE', 'REJECT', 'THREATEN', 'PROTEST', 'SANCTION', 'MOBILIZE', 'COERCE',
    'ASSAULT'];
  var PAGE = 50;
  var COLORS = ['#2563a8', '#d9822b', '#6b4fa3', '#2a9d8f'];
  var CONFLICT = [192, 57, 43], NEUTRAL = [154, 163, 173], COOP = [31, 122, 77];

  var $ = function (sel) { return document.querySelector(sel); };
  var form = $('#filters');

  /* What the page shows, for people and for the browser test. */
  var state = { offset: 0, total: 0, timeline: null, network: null, events: null,
                event: null, plot: null, cy: null, loads: 0 };
  window.dyad = state;

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === 'text') e.textContent = attrs[k];
        else if (k === 'class') e.className = attrs[k];
        else e.setAttribute(k, attrs[k]);
      });
    }
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }

  function setStatus(msg, isError) {
    var s = $('#status');
    s.textContent = msg || '';
    s.className = isError ? 'error' : '';
  }

  function api(path, params) {
    var url = path + (params && String(params) ? '?' + params : '');
    var ctl = new AbortController();
    var timer = setTimeout(function () { ctl.abort(); }, 15000);
    return fetch(url, { signal: ctl.signal, credentials: 'same-origin' }).then(function (r) {
      clearTimeout(timer);
      return r.json().catch(function () { return { error: 'not JSON (' + r.status + ')' }; })
        .then(function (body) {
          if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
          return body;
        });
    }, function (err) {
      clearTimeout(timer);
      throw new Error(err.name === 'AbortError' ? 'the server did not answer in time' : 'the server cannot be reached');
    });
  }

  /* ---- filters ---- */

  function fillSelects() {
    var root = form.elements.root;
    CAMEO_ROOTS.forEach(function (r) { root.appendChild(el('option', { value: r[0], text: r[0] + ' ' + r[1] })); });
    var plover = form.elements.plover;
    PLOVER_TYPES.forEach(function (t) { plover.appendChild(el('option', { value: t, text: t })); });
  }

  /* The filters as query parameters, or an Error for the person to fix. */
  function filterParams() {
    var f = form.elements, p = new URLSearchParams();
    var v = function (name) { return (f[name].value || '').trim(); };
    if (v('actor')) p.set('actor', v('actor').toUpperCase());
    var a = v('dyad_a').toUpperCase(), b = v('dyad_b').toUpperCase();
    if (a || b) {
      if (!a || !b) throw new Error('a dyad needs both actors, A and B');
      p.set('dyad', a + ',' + b);
      if (f.directed.checked) p.set('directed', '1');
    }
    ['from', 'to', 'root', 'quad', 'plover', 'modality', 'min_sources'].forEach(function (k) {
      if (v(k)) p.set(k, v(k));
    });
    return p;
  }

  function saveHash(p) {
    var h = new URLSearchParams(p);
    h.set('by', form.elements.by.value);
    history.replaceState(null, '', '#' + h.toString());
  }

  function loadHash() {
    var h = new URLSearchParams(location.hash.replace(/^#/, ''));
    var f = form.elements;
    ['actor', 'from', 'to', 'root', 'quad', 'plover', 'modality', 'min_sources', 'by'].forEach(function (k) {
      if (h.has(k)) f[k].value = h.get(k);
    });
    if (h.has('dyad')) {
      var d = h.get('dyad').split(',');
      f.dyad_a.value = d[0] || '';
      f.dyad_b.value = d[1] || '';
    }
    f.directed.checked = h.get('directed') === '1';
  }

  /* ---- timeline ---- */

  function parseDay(s) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) / 1000 : NaN;
  }

  function nextPeriod(t, by) {
    var d = new Date(t * 1000);
    if (by === 'day') d.setUTCDate(d.getUTCDate() + 1);
    else if (by === 'week') d.setUTCDate(d.getUTCDate() + 7);
    else if (by === 'month') d.setUTCMonth(d.getUTCMonth() + 1);
    else d.setUTCFullYear(d.getUTCFullYear() + 1);
    return d.getTime() / 1000;
  }

  function prevPeriod(t, by) {
    var d = new Date(t * 1000);
    if (by === 'day') d.setUTCDate(d.getUTCDate() - 1);
    else if (by === 'week') d.setUTCDate(d.getUTCDate() - 7);
    else if (by === 'month') d.setUTCMonth(d.getUTCMonth() - 1);
    else d.setUTCFullYear(d.getUTCFullYear() - 1);
    return d.getTime() / 1000;
  }

  function periodLabel(t, by) {
    var s = new Date(t * 1000).toISOString();
    return by === 'month' ? s.slice(0, 7) : by === 'year' ? s.slice(0, 4) : s.slice(0, 10);
  }

  /* Aligned columns for uPlot: every period from the first to the last
   * (with one empty period on each side), counts 0 and Goldstein absent
   * where a series has no events. */
  function alignSeries(resp) {
    var by = resp.by, seen = {};
    resp.series.forEach(function (s) { s.rows.forEach(function (r) { seen[parseDay(r[0])] = true; }); });
    var ts = Object.keys(seen).map(Number).sort(function (a, b) { return a - b; });
    if (!ts.length) return null;
    var xs = [], t = prevPeriod(ts[0], by), end = nextPeriod(ts[ts.length - 1], by);
    for (var guard = 0; t <= end && guard < 20000; guard++) { xs.push(t); t = nextPeriod(t, by); }
    var index = {};
    xs.forEach(function (x, i) { index[x] = i; });
    var counts = [], gold = [];
    resp.series.forEach(function (s) {
      var c = xs.map(function () { return 0; }), g = xs.map(function () { return null; });
      s.rows.forEach(function (r) {
        var i = index[parseDay(r[0])];
        if (i !== undefined) { c[i] = r[1]; g[i] = r[2]; }
      });
      counts.push(c);
      gold.push(g);
    });
    return { xs: xs, counts: counts, gold: gold };
  }

  function renderTimeline(resp) {
    var box = $('#timeline');
    if (state.plot) { state.plot.destroy(); state.plot = null; }
    box.textContent = '';
    var total = 0;
    resp.series.forEach(function (s) { s.rows.forEach(function (r) { total += r[1]; }); });
    $('#timeline-caption').textContent = resp.series.map(function (s) { return s.label; }).join(' · ') +
      ' · events per ' + resp.by + ' and mean Goldstein' + (resp.truncated ? ' (cut)' : '');
    var al = alignSeries(resp);
    state.timeline = { by: resp.by, labels: resp.series.map(function (s) { return s.label; }),
                       total: total, periods: al ? al.xs.length : 0, series: resp.series };
    if (!al) {
      box.appendChild(el('p', { class: 'empty-note', text: 'No events match the filters.' }));
      box.dataset.state = 'empty';
      return;
    }
    var series = [{ label: resp.by, value: function (u, v) { return v == null ? '' : periodLabel(v, resp.by); } }];
    var data = [al.xs];
    resp.series.forEach(function (s, i) {
      series.push({ label: s.label + ' events', scale: 'n', stroke: COLORS[i % COLORS.length],
                    width: 2, points: { show: true, size: 5 },
                    fill: i === 0 ? 'rgba(37,99,168,0.08)' : undefined });
      data.push(al.counts[i]);
    });
    resp.series.forEach(function (s, i) {
      series.push({ label: s.label + ' Goldstein', scale: 'g', stroke: COLORS[i % COLORS.length],
                    width: 1.5, dash: [6, 4], spanGaps: false, points: { show: true, size: 4 } });
      data.push(al.gold[i]);
    });
    var opts = {
      width: Math.max(320, box.clientWidth || 800),
      height: 260,
      series: series,
      scales: { x: { time: true }, n: { range: function (u, lo, hi) { return [0, Math.max(1, hi) * 1.1]; } },
                g: { range: [-10, 10] } },
      axes: [
        {},
        { scale: 'n', label: 'events', size: 50 },
        { scale: 'g', side: 1, label: 'Goldstein', grid: { show: false }, size: 50 }
      ],
      legend: { live: true }
    };
    state.plot = new uPlot(opts, data, box);
    box.dataset.state = 'ready';
    box.dataset.series = state.timeline.labels.join('|');
    box.dataset.total = String(total);
  }

  /* ---- network ---- */

  function mix(a, b, t) {
    return 'rgb(' + [0, 1, 2].map(function (i) { return Math.round(a[i] + (b[i] - a[i]) * t); }).join(',') + ')';
  }

  /* Conflict (Goldstein -10) red, neutral grey, cooperation (+10) green. */
  function goldColor(g) {
    var t = Math.max(-1, Math.min(1, (g || 0) / 10));
    return t < 0 ? mix(NEUTRAL, CONFLICT, -t) : mix(NEUTRAL, COOP, t);
  }

  function renderNetwork(resp) {
    var box = $('#network');
    if (state.cy) { state.cy.destroy(); state.cy = null; }
    box.textContent = '';
    $('#network-caption').textContent = resp.nodes.length + ' actors, ' + resp.edges.length +
      ' directed links' + (resp.truncated ? ' (the strongest ' + resp.edges.length + ')' : '');
    state.network = { nodes: resp.nodes.length, edges: resp.edges.length,
                      data: resp };
    if (!resp.edges.length) {
      box.appendChild(el('p', { class: 'empty-note', text: 'No links between actors match the filters.' }));
      box.dataset.state = 'empty';
      return;
    }
    var maxN = 1, maxE = 1;
    resp.nodes.forEach(function (n) { maxN = Math.max(maxN, n.events); });
    resp.edges.forEach(function (e) { maxE = Math.max(maxE, e.events); });
    var els = [];
    /* Start on a circle, so the layout (and the picture) is the same every time. */
    resp.nodes.forEach(function (n, i) {
      var a = 2 * Math.PI * i / resp.nodes.length;
      els.push({ group: 'nodes', data: { id: n.id, label: n.id, events: n.events,
                 size: 16 + 30 * Math.sqrt(n.events / maxN) },
                 position: { x: 200 * Math.cos(a), y: 200 * Math.sin(a) } });
    });
    resp.edges.forEach(function (e, i) {
      els.push({ group: 'edges', data: { id: 'e' + i, source: e.source, target: e.target,
                 events: e.events, goldstein: e.goldstein, color: goldColor(e.goldstein),
                 width: 1.5 + 7 * e.events / maxE,
                 label: e.events + ' · ' + (e.goldstein > 0 ? '+' : '') + e.goldstein.toFixed(1) } });
    });
    state.cy = cytoscape({
      container: box,
      elements: els,
      wheelSensitivity: 0.3,
      style: [
        { selector: 'node', style: { 'background-color': '#2563a8', 'label': 'data(label)',
          'width': 'data(size)', 'height': 'data(size)', 'font-size': 11, 'color': '#1d2430',
          'text-valign': 'bottom', 'text-margin-y': 3, 'text-outline-color': '#fff', 'text-outline-width': 2 } },
        { selector: 'edge', style: { 'width': 'data(width)', 'line-color': 'data(color)',
          'target-arrow-color': 'data(color)', 'target-arrow-shape': 'triangle',
          'curve-style': 'bezier', 'opacity': 0.9, 'label': 'data(label)', 'font-size': 9,
          'color': '#5b6575', 'text-rotation': 'autorotate', 'text-background-color': '#fff',
          'text-background-opacity': 0.8 } },
        { selector: ':selected', style: { 'overlay-color': '#2563a8', 'overlay-opacity': 0.15 } }
      ],
      maxZoom: 1.4,
      layout: { name: resp.nodes.length > 400 ? 'concentric' : 'cose', animate: false,
                randomize: false, padding: 30, nodeOverlap: 40, componentSpacing: 80,
                nodeRepulsion: function () { return 60000; },
                idealEdgeLength: function () { return 140; } }
    });
    state.cy.on('tap', 'node', function (ev) {
      var f = form.elements;
      f.actor.value = ev.target.id();
      f.dyad_a.value = f.dyad_b.value = '';
      refresh();
    });
    state.cy.on('tap', 'edge', function (ev) {
      var f = form.elements, d = ev.target.data();
      f.actor.value = '';
      f.dyad_a.value = d.source;
      f.dyad_b.value = d.target;
      refresh();
    });
    box.dataset.state = 'ready';
    box.dataset.nodes = String(resp.nodes.length);
    box.dataset.edges = String(resp.edges.length);
  }

  /* ---- events ---- */

  function fmtGold(g) { return (g > 0 ? '+' : '') + Number(g).toFixed(1); }

  function renderEvents(resp) {
    var body = $('#events tbody');
    body.textContent = '';
    state.events = resp;
    state.total = resp.total;
    resp.events.forEach(function (e) {
      var gold = el('td', { class: 'num ' + (e.goldstein < 0 ? 'neg' : e.goldstein > 0 ? 'pos' : ''), text: fmtGold(e.goldstein) });
      var srcs = el('td', { class: 'num', text: String(e.sources) }, [
        e.conflict ? el('span', { class: 'flag', title: 'the reports disagree', text: 'conflict' }) : null]);
      var tr = el('tr', { 'data-id': e.id, tabindex: '0' }, [
        el('td', { class: 'date', text: e.date }), el('td', { text: e.source }), el('td', { text: e.target }),
        el('td', { text: e.code }), el('td', { text: e.plover }), gold,
        el('td', { text: e.modality }), srcs,
        el('td', { class: 'evidence', title: e.evidence, text: e.evidence })]);
      tr.addEventListener('click', function () { openEvent(e.id, tr); });
      tr.addEventListener('keydown', function (k) { if (k.key === 'Enter') openEvent(e.id, tr); });
      body.appendChild(tr);
    });
    if (!resp.events.length) {
      body.appendChild(el('tr', {}, [el('td', { colspan: '9', class: 'empty-note', text: 'No events match the filters.' })]));
    }
    var last = Math.min(resp.offset + resp.events.length, resp.total);
    $('#events-caption').textContent = resp.total + ' events';
    $('#page').textContent = resp.total ? (resp.offset + 1) + '–' + last + ' of ' + resp.total : '';
    $('#prev').disabled = resp.offset <= 0;
    $('#next').disabled = last >= resp.total;
    $('#events').dataset.state = 'ready';
  }

  /* ---- one event ---- */

  function sentence(pieces) {
    var p = el('p', { class: 'sentence' });
    pieces.forEach(function (piece) {
      if (piece.k) p.appendChild(el('span', { class: piece.k, text: piece.t }));
      else p.appendChild(document.createTextNode(piece.t));
    });
    return p;
  }

  function dl(pairs) {
    var d = el('dl');
    pairs.forEach(function (kv) {
      if (kv[1] === '' || kv[1] === null || kv[1] === undefined) return;
      d.appendChild(el('dt', { text: kv[0] }));
      d.appendChild(el('dd', { text: String(kv[1]) }));
    });
    return d;
  }

  function renderEvent(resp) {
    var ev = resp.event, box = $('#detail-body');
    state.event = resp;
    box.textContent = '';
    box.appendChild(el('h3', { text: ev.source + ' → ' + ev.target + ' · ' + ev.code + ' ' + (ev.plover || '') }));
    box.appendChild(dl([
      ['Date', ev.date], ['Goldstein', fmtGold(ev.goldstein)], ['Quad class', ev.quad],
      ['Modality', ev.modality], ['Place', [ev.place_name, ev.place_country].filter(Boolean).join(', ')],
      ['Reports', ev.n_mentions + ' mentions in ' + ev.n_stories + ' stories from ' + ev.n_sources + ' sources'],
      ['First seen', ev.first_seen], ['Event id', ev.id]]));
    if (ev.conflict || resp.disagreements.length) {
      var cb = el('div', { class: 'conflict-box' }, [el('strong', { text: 'The reports disagree' })]);
      var ul = el('ul');
      resp.disagreements.forEach(function (d) {
        ul.appendChild(el('li', { text: d.field + ': ' + d.values.join(' / ') }));
      });
      if (ev.conflict_note) ul.appendChild(el('li', { text: ev.conflict_note }));
      cb.appendChild(ul);
      box.appendChild(cb);
    }
    box.appendChild(el('p', { class: 'sources' }, [el('strong', { text: 'Sources: ' }),
      resp.sources.length ? resp.sources.join(', ') : 'not named']));
    box.appendChild(el('h3', { text: resp.mentions.length + ' mention' + (resp.mentions.length === 1 ? '' : 's') +
      (resp.truncated ? ' (first ' + resp.mentions.length + ')' : '') }));
    resp.mentions.forEach(function (m) {
      var meta = el('div', { class: 'meta' }, [
        (m.publisher || 'unknown source') + ' · story ' + m.story_id + ' of ' + m.story_date +
        ' · event date ' + m.date + (m.date_text ? ' ("' + m.date_text + '")' : '') +
        ' · ' + m.code + ' ' + m.modality +
        (m.place.name || m.place.text ? ' · ' + (m.place.name || m.place.text) : '')]);
      if (/^https?:\/\//.test(m.url)) {
        meta.appendChild(document.createTextNode(' · '));
        meta.appendChild(el('a', { href: m.url, target: '_blank', rel: 'noopener noreferrer', text: 'story' }));
      }
      box.appendChild(el('div', { class: 'mention', 'data-id': m.id }, [meta, sentence(m.sentence),
        el('div', { class: 'meta', text: 'who: ' + m.source.text + ' (' + m.source.code + ') → ' +
          m.target.text + ' (' + m.target.code + ') · rule ' + m.pattern })]));
    });
    $('#detail').hidden = false;
    document.querySelector('main').classList.add('detail-open');
    $('#detail').dataset.state = 'ready';
  }

  function openEvent(id, row) {
    document.querySelectorAll('#events tr.selected').forEach(function (r) { r.classList.remove('selected'); });
    if (row) row.classList.add('selected');
    $('#detail').dataset.state = 'loading';
    var p = new URLSearchParams();
    p.set('id', id);
    api('/api/event', p).then(renderEvent, function (err) { setStatus(err.message, true); });
  }

  /* ---- loading ---- */

  function loadEvents(p) {
    var q = new URLSearchParams(p);
    q.set('limit', String(PAGE));
    q.set('offset', String(state.offset));
    $('#events').dataset.state = 'loading';
    return api('/api/events', q).then(renderEvents);
  }

  function refresh() {
    var p;
    try {
      p = filterParams();
    } catch (err) {
      setStatus(err.message, true);
      return Promise.resolve();
    }
    saveHash(p);
    state.offset = 0;
    setStatus('Loading…');
    var t = new URLSearchParams(p);
    t.set('by', form.elements.by.value);
    var n = new URLSearchParams(p);
    n.set('limit', '200');
    $('#timeline').dataset.state = 'loading';
    $('#network').dataset.state = 'loading';
    return Promise.all([
      api('/api/timeline', t).then(renderTimeline),
      api('/api/network', n).then(renderNetwork),
      loadEvents(p)
    ]).then(function () {
      state.loads++;
      document.body.dataset.loads = String(state.loads);
      setStatus('');
    }, function (err) {
      setStatus(err.message, true);
    });
  }

  function init() {
    fillSelects();
    loadHash();
    form.addEventListener('submit', function (e) { e.preventDefault(); refresh(); });
    $('#reset').addEventListener('click', function () {
      form.reset();
      history.replaceState(null, '', location.pathname);
      refresh();
    });
    $('#prev').addEventListener('click', function () {
      state.offset = Math.max(0, state.offset - PAGE);
      loadEvents(filterParams()).catch(function (err) { setStatus(err.message, true); });
    });
    $('#next').addEventListener('click', function () {
      state.offset += PAGE;
      loadEvents(filterParams()).catch(function (err) { setStatus(err.message, true); });
    });
    $('#close-detail').addEventListener('click', function () {
      $('#detail').hidden = true;
      document.querySelector('main').classList.remove('detail-open');
    });
    window.addEventListener('resize', function () {
      var box = $('#timeline');
      if (state.plot) state.plot.setSize({ width: Math.max(320, box.clientWidth), height: 260 });
    });
    api('/api/summary').then(function (s) {
      $('#summary').textContent = s.backend + ' store · ' + s.stories + ' stories · ' + s.events +
        ' events' + (s.conflicts ? ' (' + s.conflicts + ' with conflicting reports)' : '') +
        (s.first ? ' · ' + s.first + ' to ' + s.last : '');
    }, function (err) { setStatus(err.message, true); });
    api('/api/actors', new URLSearchParams('limit=500')).then(function (r) {
      var list = $('#actor-list');
      r.actors.forEach(function (a) { list.appendChild(el('option', { value: a.code, label: a.events + ' events' })); });
    }, function () { /* the list is a convenience */ });
    refresh();
  }

  init();
})();
