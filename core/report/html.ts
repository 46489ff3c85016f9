/**
 * index.html: the summary table, what is missing, then every figure drawn live by vega-embed
 * from its spec (inlined, so the page opens from disk with no server and no network; the
 * libraries sit beside it in lib/). Without JavaScript the static SVGs are shown instead.
 */
import { escapeHtml as esc } from './summary-table.js';
import { specJson, type VlSpec } from './spec-common.js';
import { CLASS_COLORS, CLASSES } from '../io/run-rows.js';

export interface PageFigure {
  id: string;
  section: string;
  title: string;
  /** HTML: how the figure is built. */
  caption: string;
  spec: VlSpec;
  specFile: string;
  svgFile: string | null;
}

export interface PageInput {
  title: string;
  generatedAt: string;
  dirs: ReadonlyArray<{ name: string; path: string; kind: string; problem: string; description?: string; runs: number }>;
  tableHtml: string;
  missing: readonly string[];
  notes: readonly string[];
  figures: readonly PageFigure[];
  /** Scripts in load order, relative to the page. */
  libs: readonly string[];
  downsampling: string;
  version: string;
}

/** JSON inside <script>: no '</script>' or '<!--' can end or confuse the element. */
export function scriptJson(value: unknown): string {
  return specJson(value as VlSpec).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const STYLE = `
body { font: 14px/1.45 Helvetica, Arial, sans-serif; color: #1a1a1a; margin: 0 auto; padding: 1.2em 2em 4em; max-width: 1500px; }
h1 { font-size: 1.6em; margin: 0.2em 0; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
h3 { font-size: 1.05em; margin: 1.6em 0 0.3em; }
.meta, .muted { color: #666; } .meta { font-size: 0.9em; }
table.summary { border-collapse: collapse; font-size: 0.92em; margin: 0.6em 0; }
table.summary th, table.summary td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; white-space: nowrap; }
table.summary th { background: #f6f6f6; font-weight: 600; }
table.summary td:first-child, table.summary th:first-child { text-align: left; }
table.summary tr.partial td { background: #fff8e5; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 50%; margin-right: 0.3em; vertical-align: -0.05em; }
.box { border-left: 4px solid #e0a800; background: #fffbea; padding: 0.5em 1em; margin: 1em 0; }
.box.info { border-color: #9ab; background: #f4f8fa; }
.box ul { margin: 0.3em 0; padding-left: 1.2em; }
figure { margin: 1em 0 2.2em; } figcaption { color: #444; max-width: 70em; margin: 0.4em 0; font-size: 0.92em; }
figcaption a { color: #256; }
.vega-embed { max-width: 100%; overflow-x: auto; } .scroll { overflow-x: auto; }
.error { color: #b00020; }
`;

export function indexHtml(p: PageInput): string {
  const sections: string[] = [];
  let current = '';
  for (const f of p.figures) {
    if (f.section !== current) {
      current = f.section;
      sections.push(`<h2>${esc(f.section)}</h2>`);
    }
    const links = [`<a href="${esc(f.specFile)}">Vega-Lite spec</a>`, ...(f.svgFile ? [`<a href="${esc(f.svgFile)}">static SVG</a>`] : [])];
    // The figure's own title (in the spec, so that the SVG stands alone) heads it.
    sections.push(`<figure aria-label="${esc(f.title)}">
<div class="fig" id="${esc(f.id)}"></div>
${f.svgFile ? `<noscript><img src="${esc(f.svgFile)}" alt="${esc(f.title)}"></noscript>` : ''}
<figcaption>${f.caption} <span class="muted">(${links.join(' · ')})</span></figcaption>
</figure>`);
  }
  const dirs = p.dirs.map((d) => `<li><code>${esc(d.path)}</code>: ${d.kind === 'suite' ? 'suite' : 'gradflat run'} on <b>${esc(d.problem)}</b>${d.description ? ` (${esc(d.description)})` : ''}, ${d.runs} finished run(s)</li>`);
  const missing = p.missing.length
    ? `<div class="box" id="missing"><b>Missing runs</b> (not finished yet; the figures show the finished ones):<ul>${p.missing.map((m) => `<li>${esc(m)}</li>`).join('')}</ul></div>`
    : '';
  const notes = p.notes.length ? `<div class="box info" id="notes"><b>Notes</b><ul>${p.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul></div>` : '';
  const figs = p.figures.map((f) => ({ id: f.id, spec: f.spec }));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="gradflat ${esc(p.version)} report">
<title>${esc(p.title)}</title>
<style>${STYLE}</style>
${p.libs.map((l) => `<script src="${esc(l)}"></script>`).join('\n')}
</head>
<body>
<h1>${esc(p.title)}</h1>
<p class="meta">Written by gradflat ${esc(p.version)} on ${esc(p.generatedAt)} from:</p>
<ul class="meta">${dirs.join('\n')}</ul>
<h2>Summary per method</h2>
<div class="scroll">${p.tableHtml}</div>
<p class="meta">Classes of the final points (the record's <code>class</code>): critical ‖g‖² below the critical threshold (default 1e-8); gradient-flat when the share of ‖g‖² in Hessian eigen-directions with |λ| ≤ τ<sub>flat</sub>‖H‖₂ is certainly at least s<sub>flat</sub> (the lower end of its bracket); neither when certainly below; undecided when the bracket still straddles s<sub>flat</sub> after its budget; non-finite for a diverged run. The paper's criterion (r &gt; 0.9, r from a fresh MINRES-QLP probe, normalised by the solver's ‖A‖) is the record's <code>classPaper</code>, and was its <code>class</code> in records written before the certified one; the class-agreement figure compares the two. Colours as in Frye et al. 2021: ${CLASSES.map((c) => `<span class="swatch" style="background:${CLASS_COLORS[c]}"></span>${c}`).join(', ')}. Work in HVP-equivalents, probes excluded. Hover a row to see whether its numbers come from summary.json or from the run records.</p>
${missing}
${notes}
<p class="meta">${esc(p.downsampling)} Hover marks for details; click legend entries to pick (shift-click adds); each figure's menu exports PNG or SVG.</p>
${sections.join('\n')}
<script type="application/json" id="gradflat-figures">${scriptJson(figs)}</script>
<script>
(function () {
  var state = window.gradflatReport = { views: {}, errors: [] };
  var figs = JSON.parse(document.getElementById('gradflat-figures').textContent);
  state.ready = Promise.all(figs.map(function (f) {
    var el = document.getElementById(f.id);
    return vegaEmbed(el, f.spec, { renderer: 'canvas', actions: { export: true, source: false, compiled: false, editor: false } })
      .then(function (r) { state.views[f.id] = r.view; })
      .catch(function (e) {
        state.errors.push(f.id + ': ' + e);
        el.innerHTML = '<p class="error">This figure could not be drawn (' + String(e).replace(/</g, '&lt;') + '); its static SVG is linked below.</p>';
        console.error(e);
      });
  })).then(function () { state.done = true; });
})();
</script>
</body>
</html>
`;
}
