/**
 * The report in a real browser: headless Chromium (Debian package `chromium`) driven by
 * playwright-core opens index.html from disk, with every non-file request refused, and checks
 * that no error or warning was logged and that every data mark of every figure has items in
 * vega's scenegraph. Skipped with a message when /usr/bin/chromium is absent, unless
 * GRADFLAT_REQUIRE_CHROMIUM is set (CI sets it).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dataMarkItems } from './scenegraph.js';
import { quarticRun, quarticSuite, quiet } from './testing.js';
import { writeReport } from './write-report.js';

/** Debian's package installs it here; GRADFLAT_CHROMIUM points elsewhere. */
const CHROMIUM = process.env.GRADFLAT_CHROMIUM ?? '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM);
const skip = missing && !process.env.GRADFLAT_REQUIRE_CHROMIUM
  ? `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run the browser test`
  : false;

test('index.html opens offline in headless Chromium, logs no error or warning, and every figure draws its data; SVGs stand alone', { skip, timeout: 180_000 }, async () => {
  assert.ok(!missing, `${CHROMIUM} is required (GRADFLAT_REQUIRE_CHROMIUM is set) but absent`);
  const { chromium } = await import('playwright-core');
  const root = mkdtempSync(join(tmpdir(), 'gradflat-browser-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const dirs = [await quarticSuite(root), quarticRun(root)];
    const report = await writeReport(dirs, join(root, 'report'), { progress: quiet });
    assert.ok(report.figures.length >= 9, `${report.figures.length} figures`);

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    const network: string[] = [];
    // Vega warns on the console about data it cannot draw (e.g. "Log scale domain includes zero"): a failure too.
    // (Chromium's own notice about this test reading canvas pixels back is not the page's.)
    page.on('console', (m) => {
      if ((m.type() === 'error' || m.type() === 'warning') && !/^Canvas2D: Multiple readback operations/.test(m.text())) problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      network.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(report.index).href);
    // Browser-side code is passed as source text: this project compiles without the DOM library.
    await page.waitForFunction('window.gradflatReport && window.gradflatReport.done === true', null, { timeout: 60_000 });
    const state = await page.evaluate('({ errors: window.gradflatReport.errors, views: Object.keys(window.gradflatReport.views) })') as { errors: string[]; views: string[] };
    assert.deepEqual(state.errors, [], 'vega-embed errors');
    assert.deepEqual(problems, [], 'console errors and warnings, page errors');
    assert.deepEqual(network, [], 'no request leaves the disk');
    assert.deepEqual(state.views.sort(), report.figures.map((f) => f.id).sort(), 'every figure embedded');

    // Every figure drew its data: each data mark (role 'mark', not an axis, legend or title) of
    // each embedded view has items in vega's scenegraph.
    const marks = await page.evaluate(`(() => {
      const count = ${dataMarkItems.toString()};
      const views = window.gradflatReport.views;
      return Object.fromEntries(Object.keys(views).map((id) => [id, count(views[id].scenegraph().root)]));
    })()`) as Record<string, Record<string, number>>;
    for (const f of report.figures) {
      const m = marks[f.id] ?? {};
      assert.ok(Object.keys(m).length > 0, `${f.id}: no data mark in the scenegraph`);
      for (const [name, items] of Object.entries(m)) assert.ok(items > 0, `${f.id}: data mark ${name} drew nothing (${JSON.stringify(m)})`);
    }
    // And on screen: a canvas of non-zero size with plenty of non-white pixels.
    const drawn = await page.evaluate(`[...document.querySelectorAll('.fig')].map((el) => {
      const c = el.querySelector('canvas');
      if (!c || c.width === 0 || c.height === 0) return { id: el.id, width: c ? c.width : 0, height: c ? c.height : 0, ink: 0 };
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235)) ink++;
      return { id: el.id, width: c.width, height: c.height, ink };
    })`) as Array<{ id: string; width: number; height: number; ink: number }>;
    assert.equal(drawn.length, report.figures.length);
    for (const f of drawn) assert.ok(f.width > 100 && f.height > 100 && f.ink > 2000, `${f.id}: ${JSON.stringify(f)}`);
    // Tooltips: hover the lowest orange (gradient-flat) pixel of the loss–index figure, a final point.
    await page.evaluate("document.getElementById('fig2-loss-index').scrollIntoView()");
    const spot = await page.evaluate(`(() => {
      const c = document.querySelector('#fig2-loss-index canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const r = c.getBoundingClientRect();
      for (let i = d.length - 4; i >= 0; i -= 4) {
        if (Math.abs(d[i] - 255) < 3 && Math.abs(d[i + 1] - 127) < 4 && Math.abs(d[i + 2] - 14) < 4) {
          const k = i / 4;
          return { x: r.left + (k % c.width) * r.width / c.width, y: r.top + Math.floor(k / c.width) * r.height / c.height };
        }
      }
      return null;
    })()`) as { x: number; y: number } | null;
    assert.ok(spot, 'a gradient-flat final point is drawn in orange');
    let tip: string | null = null;
    for (const [dx, dy] of [[1, 1], [0, 0], [2, 2], [1, 3], [3, 1]]) {
      await page.mouse.move(spot.x + dx, spot.y + dy);
      await page.waitForTimeout(100);
      tip = await page.evaluate("(() => { const t = document.getElementById('vg-tooltip-element'); return t && t.classList.contains('visible') ? t.innerText : null; })()") as string | null;
      if (tip) break;
    }
    assert.ok(tip, 'hovering a final point shows a tooltip');
    assert.match(tip, /run[^]*\/run-\d{3}[^]*class[^]*gradient-flat[^]*loss[^]*‖g‖²[^]*r/);

    // The summary table and the run list are on the page.
    const rows = await page.locator('table.summary tbody tr').count();
    assert.equal(rows, 5, 'finder, 3 methods of the suite, 1 gradflat run');

    // Each static SVG stands alone: it opens by itself, has a size, marks, and no outside reference.
    for (const f of report.figures) {
      const svg = readFileSync(f.svg!, 'utf8');
      assert.doesNotMatch(svg.replace(/xmlns(:xlink)?="http:\/\/www\.w3\.org\/[^"]*"/g, ''), /https?:\/\//, `${f.id}.svg refers to nothing outside`);
      await page.goto(pathToFileURL(f.svg!).href);
      const box = await page.evaluate(`(() => {
        const s = document.querySelector('svg');
        const r = s.getBoundingClientRect();
        return { width: r.width, height: r.height, marks: s.querySelectorAll('path, line, rect, text').length };
      })()`) as { width: number; height: number; marks: number };
      assert.ok(box.width > 100 && box.height > 100 && box.marks > 20, `${f.id}.svg: ${JSON.stringify(box)}`);
    }
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    rmSync(root, { recursive: true, force: true });
  }
});
