/*
 * browser.cjs - the dashboard in a real browser (Debian's chromium through
 * playwright-core), against a running `dyad serve`.
 *
 *   NODE_PATH=DIR/node_modules node browser.cjs CONFIG.json
 *
 * CONFIG.json (written by browser.sh) names the page's url, the output
 * folder, chromium, the dyad binary and the store. What the page must show
 * is computed here with `dyad query` and `dyad export`, which read the
 * store without the server. Any request to a host other than the loopback
 * is blocked and fails the test, as does any error in the page.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { chromium } = require('playwright-core');

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

function dyad(args) {
  return execFileSync(config.dyad, args.concat(['--db', config.db]), { encoding: 'utf8' });
}

/* Rows of `dyad query` CSV output as objects. */
function query(args) {
  const lines = dyad(['query'].concat(args)).trim().split('\n');
  const head = lines.shift().split(',');
  return lines.filter(Boolean).map((l) => {
    const v = l.split(','), o = {};
    head.forEach((h, i) => { o[h] = /^-?[0-9.]+$/.test(v[i]) ? Number(v[i]) : v[i]; });
    return o;
  });
}

function expectations() {
  const [a, b] = config.pair;
  const pair = a + ',' + b;
  const exported = dyad(['export', '--format', 'jsonl', '--dyad', pair]).trim().split('\n')
    .filter(Boolean).map((l) => JSON.parse(l));
  /* The event reported most often: the one whose reports may disagree. */
  const pick = exported.reduce((x, e) => (e.mentions > x.mentions ? e : x), exported[0]);
  return {
    url: config.url,
    outdir: config.outdir,
    chromium: config.chromium,
    stories: config.stories,
    all_events: query([])[0].events,
    dyad: [a, b],
    dyad_events: query(['--dyad', pair])[0].events,
    dyad_ab: query(['--dyad', pair, '--directed'])[0].events,
    dyad_ba: query(['--dyad', b + ',' + a, '--directed'])[0].events,
    dyad_ab_months: query(['--dyad', pair, '--directed', '--by', 'month']).map((r) => r.month + ':' + r.events),
    dyad_edges: query(['--dyad', pair, '--by', 'dyad']),
    actor_events: query(['--actor', b])[0].events,
    pick: pick,
    events: exported
  };
}

const expect = expectations();
let failures = 0, passes = 0;

function check(cond, what, detail) {
  if (cond) {
    passes++;
    console.log('ok   ' + what);
  } else {
    failures++;
    console.log('FAIL ' + what + (detail !== undefined ? ': ' + JSON.stringify(detail) : ''));
  }
}

function loopback(url) {
  try {
    const u = new URL(url);
    if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return true;
    return u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';
  } catch (e) {
    return false;
  }
}

/* Share of the canvases' pixels in BOX that are not blank. */
async function inked(page, box) {
  return page.evaluate((sel) => {
    let ink = 0, all = 0;
    document.querySelectorAll(sel + ' canvas').forEach((c) => {
      if (!c.width || !c.height) return;
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 4) {
        all++;
        if (d[i + 3] > 0 && (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235)) ink++;
      }
    });
    return all ? ink / all : 0;
  }, box);
}

async function main() {
  const browser = await chromium.launch({
    executablePath: expect.chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run',
           '--disable-default-apps', '--disable-extensions']
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1,
                                             serviceWorkers: 'block' });
  const blocked = [], pageErrors = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (loopback(url)) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push('pageerror: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push('console: ' + m.text()); });
  page.setDefaultTimeout(20000);

  /* 1. The page loads with every event of the store. */
  const resp = await page.goto(expect.url, { waitUntil: 'load' });
  check(resp && resp.status() === 200, 'the page loads (200)', resp && resp.status());
  check((resp.headers()['content-security-policy'] || '').includes("default-src 'none'"),
        'the page is served with a content security policy');
  await page.waitForSelector('body[data-loads="1"]');
  const summary = await page.textContent('#summary');
  check(summary.includes(expect.stories + ' stories'), 'the summary names the stories', summary);
  const all = await page.evaluate(() => ({ total: window.dyad.timeline.total, labels: window.dyad.timeline.labels,
                                           events: window.dyad.total }));
  check(all.total === expect.all_events, 'timeline of all events sums to the store total',
        { page: all.total, cli: expect.all_events });
  check(all.events === expect.all_events, 'the event table counts every event',
        { page: all.events, cli: expect.all_events });

  /* 2. A dyad filter. */
  await page.fill('input[name=dyad_a]', expect.dyad[0]);
  await page.fill('input[name=dyad_b]', expect.dyad[1]);
  await page.selectOption('select[name=by]', 'month');
  await page.click('#apply');
  await page.waitForSelector('body[data-loads="2"]');
  check(page.url().includes('dyad=' + expect.dyad[0] + '%2C' + expect.dyad[1]), 'the filter is kept in the address',
        page.url());

  /* Timeline: one series per direction, counts equal to `dyad query`. */
  await page.waitForSelector('#timeline[data-state=ready]');
  const tl = await page.evaluate(() => ({
    labels: window.dyad.timeline.labels,
    total: window.dyad.timeline.total,
    perSeries: window.dyad.timeline.series.map((s) => s.rows.reduce((a, r) => a + r[1], 0)),
    months: window.dyad.timeline.series.map((s) => s.rows.map((r) => r[0].slice(0, 7) + ':' + r[1])),
    legend: Array.from(document.querySelectorAll('#timeline .u-legend .u-label')).map((e) => e.textContent)
  }));
  const ab = expect.dyad[0] + ' \u2192 ' + expect.dyad[1], ba = expect.dyad[1] + ' \u2192 ' + expect.dyad[0];
  check(JSON.stringify(tl.labels) === JSON.stringify([ab, ba]), 'timeline has one series per direction', tl.labels);
  check(tl.total === expect.dyad_events, 'timeline counts equal dyad query', { page: tl.total, cli: expect.dyad_events });
  check(tl.perSeries[0] === expect.dyad_ab && tl.perSeries[1] === expect.dyad_ba,
        'each direction counts what dyad query --directed counts',
        { page: tl.perSeries, cli: [expect.dyad_ab, expect.dyad_ba] });
  check(JSON.stringify(tl.months[0]) === JSON.stringify(expect.dyad_ab_months),
        'the A to B series has the months of dyad query --by month',
        { page: tl.months[0], cli: expect.dyad_ab_months });
  check(tl.legend.includes(ab + ' events') && tl.legend.includes(ab + ' Goldstein'),
        'uPlot legend names counts and Goldstein', tl.legend);
  const tlInk = await inked(page, '#timeline');
  check(tlInk > 0.005, 'the timeline canvas is drawn', tlInk);

  /* Network: the dyads of `dyad query --by dyad`, weighted and coloured. */
  await page.waitForSelector('#network[data-state=ready]');
  const net = await page.evaluate(() => {
    const cy = window.dyad.cy;
    return {
      nodes: cy.nodes().map((n) => n.id()).sort(),
      edges: cy.edges().map((e) => ({ s: e.data('source'), t: e.data('target'), n: e.data('events'),
                                      g: e.data('goldstein'), w: parseFloat(e.style('width')),
                                      c: e.style('line-color') })),
      visible: cy.nodes().filter((n) => n.renderedPosition().x > 0 && n.renderedPosition().y > 0).length
    };
  });
  const cliEdges = expect.dyad_edges.map((e) => e.source + '>' + e.target + ':' + e.events).sort();
  const pageEdges = net.edges.map((e) => e.s + '>' + e.t + ':' + e.n).sort();
  check(JSON.stringify(pageEdges) === JSON.stringify(cliEdges), 'network edges equal dyad query --by dyad',
        { page: pageEdges, cli: cliEdges });
  check(net.visible === net.nodes.length && net.nodes.length > 0, 'every actor is drawn inside the view', net);
  const heavy = net.edges.reduce((a, e) => (e.n > a.n ? e : a), net.edges[0]);
  const light = net.edges.reduce((a, e) => (e.n < a.n ? e : a), net.edges[0]);
  check(heavy.n === light.n || heavy.w > light.w, 'edge width grows with the number of events', { heavy, light });
  const rgb = (c) => (c.match(/\d+/g) || []).map(Number);
  const bad = net.edges.filter((e) => {
    const [r, g] = rgb(e.c);
    return (e.g <= -3 && !(r > g)) || (e.g >= 3 && !(g > r));
  });
  check(bad.length === 0, 'edge colour runs from conflict (red) to cooperation (green)', bad);
  const netInk = await inked(page, '#network');
  check(netInk > 0.002, 'the network canvas is drawn', netInk);

  /* Event table: the events of the dyad, then one event's evidence. */
  await page.waitForSelector('#events[data-state=ready]');
  const rows = await page.$$eval('#events tbody tr[data-id]', (trs) => trs.map((t) => t.dataset.id));
  check(rows.length === Math.min(50, expect.dyad_events), 'the table lists the events of the dyad',
        { page: rows.length, cli: expect.dyad_events });
  /* The event reported most often (its reports may disagree). */
  const pick = rows.includes(expect.pick.event_id) ? expect.pick.event_id : rows[0];
  check(pick === expect.pick.event_id, 'the most reported event is in the table', expect.pick.event_id);
  await page.click('#events tbody tr[data-id="' + pick + '"]');
  await page.waitForSelector('#detail[data-state=ready]');
  const detail = await page.evaluate(() => ({
    mentions: Array.from(document.querySelectorAll('#detail .mention')).map((m) => ({
      id: m.dataset.id,
      evidence: Array.from(m.querySelectorAll('.sentence .evidence')).map((s) => s.textContent).join(''),
      source: Array.from(m.querySelectorAll('.sentence .source')).map((s) => s.textContent).join(''),
      target: Array.from(m.querySelectorAll('.sentence .target')).map((s) => s.textContent).join(''),
      sentence: m.querySelector('.sentence').textContent
    })),
    sources: document.querySelector('#detail .sources').textContent.replace(/^Sources: /, ''),
    conflict: !!document.querySelector('#detail .conflict-box'),
    conflictText: (document.querySelector('#detail .conflict-box') || {}).textContent || ''
  }));
  const want = expect.pick;
  check(detail.mentions.length === want.mentions, 'the detail lists every mention of the event',
        { page: detail.mentions.length, export: want.mentions });
  /* The event's own mention is the one `dyad export` describes. */
  const own = detail.mentions.find((d) => d.id === want.event_id) || {};
  check(own.evidence === want.evidence, 'the highlighted span is the evidence',
        { page: own.evidence, export: want.evidence });
  check(own.sentence === want.sentence_text, 'the whole sentence is shown',
        { page: own.sentence, export: want.sentence_text });
  check(own.source === want.source.text && own.target === want.target.text,
        'the source and target words are marked',
        { page: [own.source, own.target], export: [want.source.text, want.target.text] });
  for (const m of detail.mentions) {
    check(m.evidence.length > 0 && m.sentence.includes(m.evidence), 'mention ' + m.id + ' highlights its evidence',
          m);
  }
  const named = detail.sources.split(', ').filter(Boolean);
  check(named.length === want.sources, 'the sources of the reports are named',
        { page: named, export: want.sources });
  check(detail.conflict === !!want.conflict, 'a disagreement between reports is shown when there is one',
        { page: detail.conflictText, export: want.conflict });
  fs.mkdirSync(expect.outdir, { recursive: true });
  const shot = path.join(expect.outdir, 'dashboard.png');
  await page.screenshot({ path: shot, fullPage: false });
  check(fs.statSync(shot).size > 20000, 'a screenshot was saved: ' + shot);

  /* Clicking an actor in the network filters on that actor. */
  await page.click('#close-detail');
  const spot = await page.evaluate((id) => {
    const n = window.dyad.cy.getElementById(id), box = document.querySelector('#network').getBoundingClientRect();
    const p = n.renderedPosition();
    return { x: box.left + p.x, y: box.top + p.y };
  }, expect.dyad[1]);
  await page.mouse.click(spot.x, spot.y);
  await page.waitForSelector('body[data-loads="3"]');
  const after = await page.evaluate(() => ({ actor: document.querySelector('input[name=actor]').value,
                                             labels: window.dyad.timeline.labels, total: window.dyad.total }));
  check(after.actor === expect.dyad[1] && after.labels[0] === expect.dyad[1] + ' (either side)',
        'clicking an actor in the network filters on it', after);
  check(after.total === expect.actor_events, 'the table then counts the actor\'s events',
        { page: after.total, cli: expect.actor_events });

  /* A filter the server refuses is reported on the page. */
  await page.fill('input[name=dyad_a]', expect.dyad[0]);
  await page.fill('input[name=dyad_b]', '');
  await page.click('#apply');
  await page.waitForSelector('#status.error');
  check((await page.textContent('#status')).includes('both actors'), 'an incomplete dyad is explained');
  await page.goto(expect.url.replace(/\/$/, '') + '/api/events?limit=100000');
  const body = JSON.parse(await page.textContent('body'));
  check(/limit must be a whole number from 1 to 1000/.test(body.error), 'a huge limit gets a clear message', body);

  check(blocked.length === 0, 'the page asked for nothing outside the loopback', blocked);
  const errs = pageErrors.filter((e) => !e.includes('400 (Bad Request)'));
  check(errs.length === 0, 'no errors in the page', errs);
  await browser.close();
  console.log(passes + ' passed, ' + failures + ' failed');
  process.exit(failures ? 1 : 0);
}

main().catch((e) => {
  console.log('FAIL ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
