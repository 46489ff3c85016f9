import test from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brokenLinks, documentationFiles, headingAnchors, headingSlug } from './links.js';

/** The repository root (this file runs from dist/checks/). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('every relative link and image in README.md and docs/ resolves, #fragments included', () => {
  const files = documentationFiles(ROOT);
  assert.ok(files.includes('README.md') && files.includes('docs/index.md'), `files checked: ${files}`);
  const { checked, broken } = brokenLinks(ROOT, files);
  assert.ok(checked >= 60, `only ${checked} links found: the link parser would miss some`);
  assert.deepEqual(broken.map((b) => `${b.file}:${b.line} ${b.target}: ${b.problem}`), []);
});

test('docs/index.md lists every page in docs/, and the README links to it', () => {
  const index = readFileSync(join(ROOT, 'docs/index.md'), 'utf8');
  const pages = documentationFiles(ROOT).filter((f) => f.startsWith('docs/') && f !== 'docs/index.md');
  const missing = pages.filter((p) => !index.includes(`](${p.slice('docs/'.length)})`));
  assert.deepEqual(missing, []);
  assert.match(readFileSync(join(ROOT, 'README.md'), 'utf8'), /\]\(docs\/index\.md\)/);
});

test('headings give the fragments GitHub gives them', () => {
  assert.equal(headingSlug('Morse index beyond the dense limit (HVPs only): `lanczos-slq`'), 'morse-index-beyond-the-dense-limit-hvps-only-lanczos-slq');
  assert.equal(headingSlug("Classes of points: certified `class` and the paper's `classPaper`"), 'classes-of-points-certified-class-and-the-papers-classpaper');
  assert.equal(headingSlug('Head-to-head from gradient-flat starts (Swish autoencoder, [GF] Fig. 1C, §4.2)'), 'head-to-head-from-gradient-flat-starts-swish-autoencoder-gf-fig-1c-42');
  assert.equal(headingSlug('See [the paper](paper.md) ‖g‖²'), 'see-the-paper-g²');
  const a = headingAnchors('# Notes\n\n```sh\n# not a heading\n```\n\n## Notes\n### Notes\n');
  assert.deepEqual([...a], ['notes', 'notes-1', 'notes-2']);
});

test('a doctored copy with a missing page, a missing image and a wrong #fragment fails the check; links in code do not count', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-links-'));
  try {
    cpSync(join(ROOT, 'docs'), join(dir, 'docs'), { recursive: true });
    writeFileSync(join(dir, 'README.md'), [
      '# Copy',
      'Fine: [index](docs/index.md), [a heading](docs/index.md#using-gradflat), [web](https://example.org/x.md).',
      'Broken: [gone](docs/no-such-page.md) and ![figure](docs/img/missing.png).',
      'Wrong fragment: [guide](docs/index.md#no-such-heading).',
      'In code, not a link: `[x](nowhere.md)`',
      '```md',
      '[also code](nowhere-either.md)',
      '```',
    ].join('\n'));
    const { broken } = brokenLinks(dir, ['README.md']);
    assert.deepEqual(broken.map((b) => [b.line, b.target]), [
      [3, 'docs/no-such-page.md'],
      [3, 'docs/img/missing.png'],
      [4, 'docs/index.md#no-such-heading'],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
