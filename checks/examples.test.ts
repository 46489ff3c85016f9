import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandWords, extractBlocks, parseInfo, shellCommands } from './doc-blocks.js';
import { docPages, runBlock, runPage, workspace } from './doc-examples.js';

/** The repository root (this file runs from dist/checks/). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// Every command and JavaScript/TypeScript block of README.md and docs/*.md, run in a temporary
// folder (checks/doc-examples.ts says how commands map onto this checkout). A block escapes only
// through its info string: ```sh skip="why". GRADFLAT_DOC_PAGES=docs/a.md,docs/b.md runs only those
// pages (while editing them).
const only = process.env.GRADFLAT_DOC_PAGES?.split(',').map((p) => p.trim()).filter(Boolean);
for (const page of docPages(ROOT).filter((p) => !only || only.includes(p))) {
  test(`the examples of ${page} run`, async (t) => {
    const blocks = extractBlocks(readFileSync(join(ROOT, page), 'utf8'), page);
    const cwd = workspace(ROOT);
    for (const b of blocks) {
      const skip = b.attrs.skip !== undefined ? b.attrs.skip || 'skip="" (no reason given: fails below)' : false;
      await t.test(`${b.label} (${b.lang})`, { skip }, () => {
        const o = runBlock(b, ROOT, cwd);
        assert.equal(o.status, 'passed', o.reasons.join('\n\n'));
      });
      if (b.attrs.skip === '') assert.fail(`${b.label}: skip="" must say why the block is not run`);
    }
    rmSync(cwd, { recursive: true, force: true }); // links are removed, never what they point to
  });
}

test('a README command given a flag that does not exist fails the check, naming its block', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const isGradflat = (line: string) => /^\s*(npx\s+)?gradflat\s/.test(line);
  const target = extractBlocks(readme, 'README.md').find((b) => b.kind === 'shell' && b.attrs.skip === undefined && shellCommands(b.code).some(isGradflat));
  assert.ok(target, 'README.md has no runnable block with a gradflat command to doctor');
  // The block's first gradflat command gets the flag; the lines before it stay as they are.
  const lines = readme.split('\n');
  const bodyStart = target.line; // 0-based index of the block's first line of code
  let i = bodyStart;
  while (!isGradflat(lines[i])) i++;
  lines[i] = lines[i].replace(/^(\s*(?:npx\s+)?gradflat\s+\S+)/, '$1 --no-such-flag');
  const dir = mkdtempSync(join(tmpdir(), 'gradflat-doctored-'));
  writeFileSync(join(dir, 'README.md'), lines.join('\n'));
  const outcomes = runPage(ROOT, 'README.md', { only: (b) => b.line === target.line }, join(dir, 'README.md'));
  rmSync(dir, { recursive: true, force: true });
  const o = outcomes.find((x) => x.block.line === target.line)!;
  assert.equal(o.status, 'failed', `the doctored command passed: ${lines[i]}`);
  assert.match(o.reasons.join('\n'), new RegExp(`README\\.md:${target.line}: .*--no-such-flag`));
  assert.match(o.reasons.join('\n'), /no-such-flag/);
});

test('info strings, console prompts and continued lines are read as a reader means them', () => {
  assert.deepEqual(parseInfo('sh skip="needs Redis on another machine" file=x.js'), { lang: 'sh', attrs: { skip: 'needs Redis on another machine', file: 'x.js' } });
  const md = ['text', '```console', '$ gradflat plugins', 'newton-mr  …', '```', '~~~ts', 'const a = 1;', '~~~', '```yaml', 'a: 1', '```'].join('\n');
  const blocks = extractBlocks(md, 'x.md');
  assert.deepEqual(blocks.map((b) => [b.label, b.kind, b.code]), [['x.md:2', 'shell', 'gradflat plugins'], ['x.md:6', 'script', 'const a = 1;']]);
  assert.deepEqual(shellCommands('# a comment\ngradflat run \\\n  --out x   # trailing\n\nls'), ['gradflat run    --out x   # trailing', 'ls']);
  assert.deepEqual(commandWords(`gradflat worker --queue "redis://:$P@h" # on each`), ['gradflat', 'worker', '--queue', 'redis://:$P@h']);
});
