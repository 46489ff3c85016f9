import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs from dist/checks/). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TYPEDOC = join(ROOT, 'node_modules/typedoc/bin/typedoc');

/** What the reference is built from: index.ts and everything it may import, and the three configs. */
const DOC_SOURCES = ['index.ts', 'builtins.ts', 'core', 'engines', 'plugins', 'problems', 'studies', 'tsconfig.json', 'tsconfig.docs.json', 'typedoc.json', 'package.json'];

/** TypeDoc as `npm run docs` runs it, into a temporary folder, with every warning an error (validation included). */
function buildReference(root: string, out: string) {
  const r = spawnSync(process.execPath, [TYPEDOC, '--options', 'typedoc.json', '--out', join(out, 'html'), '--json', join(out, 'api.json'), '--treatWarningsAsErrors', '--logLevel', 'Warn'], {
    cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  return { status: r.status, log: `${r.stdout}${r.stderr}`.trim() };
}

interface Reflection { name: string; comment?: { summary: unknown[] }; signatures?: Reflection[] }

test('npm run docs builds the API reference with no warning: every public name documented, links resolved, no unlisted unexported type', async () => {
  const out = mkdtempSync(join(tmpdir(), 'gradflat-api-docs-'));
  try {
    const { status, log } = buildReference(ROOT, out);
    assert.equal(status, 0, `TypeDoc failed (fix the doc comment it names, or typedoc.json's intentionallyNotExported):\n${log}`);
    const project = JSON.parse(readFileSync(join(out, 'api.json'), 'utf8')) as { children: Reflection[] };
    const pages = new Map(project.children.map((c) => [c.name, c]));
    // Every name `import * from 'gradflat'` gives at run time has its page, with a comment of its own.
    const runtime = await import('../index.js');
    for (const name of Object.keys(runtime)) {
      const page = pages.get(name);
      assert.ok(page, `public name ${name} is missing from the reference`);
      const comment = page.comment ?? page.signatures?.[0]?.comment;
      assert.ok(comment && comment.summary.length > 0, `public name ${name} has no summary in the reference`);
    }
    assert.ok(project.children.length <= 41, `${project.children.length} names in the reference, more than the public API's 41`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('a public field without a doc comment fails the reference build, naming the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-api-docs-src-'));
  try {
    for (const p of DOC_SOURCES) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const file = join(dir, 'core/run/run-one.ts');
    const source = readFileSync(file, 'utf8');
    const doctored = source.replace('  /** Wall time of the steps in milliseconds (not the final evaluation); the record\'s only timing. */\n', '');
    assert.notEqual(doctored, source, 'the doc comment this test removes has moved: update the test');
    writeFileSync(file, doctored);
    const { status, log } = buildReference(dir, join(dir, 'out'));
    assert.notEqual(status, 0, 'TypeDoc accepted an undocumented public field');
    assert.match(log, /RunRecord\.wallMs .*does not have any documentation/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
