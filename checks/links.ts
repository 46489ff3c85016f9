/**
 * Every relative link and image in the README and docs/ must point at a file that exists, and a
 * `#fragment` at a heading of the target page, so that moving or renaming a page cannot leave
 * the documentation pointing nowhere while every other test passes.
 *
 * Headings become fragments the way GitHub renders them (the site readers follow the links on):
 * the heading's text, lowercased, with everything but letters, digits, spaces, `-` and `_`
 * removed, spaces turned into `-`, and `-1`, `-2`, … appended to repeats.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** One link that does not resolve: where it is, what it says, and why it fails. */
export interface BrokenLink {
  file: string;
  line: number;
  target: string;
  problem: string;
}

/** The Markdown files whose links must resolve: README.md and every .md under docs/. */
export function documentationFiles(root: string): string[] {
  const files = existsSync(join(root, 'README.md')) ? ['README.md'] : [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(root, dir)).sort()) {
      const rel = join(dir, name);
      if (statSync(join(root, rel)).isDirectory()) walk(rel);
      else if (name.endsWith('.md')) files.push(rel);
    }
  };
  if (existsSync(join(root, 'docs'))) walk('docs');
  return files;
}

/** The lines outside fenced code blocks, with inline code spans blanked: links there are text. */
function proseLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fence: string | null = null;
  text.split('\n').forEach((raw, i) => {
    const opener = /^\s*(`{3,}|~{3,})/.exec(raw);
    if (opener) {
      if (fence === null) fence = opener[1];
      else if (opener[1].startsWith(fence) && raw.trim().replace(/^[`~]+/, '') === '') fence = null;
      return;
    }
    if (fence === null) out.push({ line: i + 1, text: raw.replace(/(`+)[^`]*?\1/g, (m) => ' '.repeat(m.length)) });
  });
  return out;
}

/** GitHub's fragment for a heading's text. */
export function headingSlug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link in a heading contributes its text
    .replace(/`/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The fragments a Markdown page offers: one per ATX heading, repeats numbered as GitHub does. */
export function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | null = null;
  for (const raw of text.split('\n')) {
    const opener = /^\s*(`{3,}|~{3,})/.exec(raw);
    if (opener) {
      if (fence === null) fence = opener[1];
      else if (opener[1].startsWith(fence) && raw.trim().replace(/^[`~]+/, '') === '') fence = null;
      continue;
    }
    if (fence !== null) continue;
    const h = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(raw);
    if (!h) continue;
    const base = headingSlug(h[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Link targets on a line: inline links and images `](target)`, reference definitions, HTML src/href. */
function targetsOf(line: string): string[] {
  const targets: string[] = [];
  for (const m of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+["'(][^)]*)?\)/g)) targets.push(m[1]);
  const def = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(line);
  if (def) targets.push(def[1]);
  for (const m of line.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/g)) targets.push(m[1]);
  return targets;
}

/** Every relative link or image in `files` (paths relative to `root`) that does not resolve. */
export function brokenLinks(root: string, files: string[]): { checked: number; broken: BrokenLink[] } {
  const broken: BrokenLink[] = [];
  let checked = 0;
  const anchorsOf = new Map<string, Set<string>>();
  const anchors = (abs: string): Set<string> => {
    let a = anchorsOf.get(abs);
    if (!a) anchorsOf.set(abs, (a = headingAnchors(readFileSync(abs, 'utf8'))));
    return a;
  };
  for (const file of files) {
    const abs = resolve(root, file);
    for (const { line, text } of proseLines(readFileSync(abs, 'utf8'))) {
      for (const target of targetsOf(text)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:: not checked offline
        checked++;
        const hash = target.indexOf('#');
        const pathPart = hash < 0 ? target : target.slice(0, hash);
        const fragment = hash < 0 ? '' : decodeURIComponent(target.slice(hash + 1));
        const dest = pathPart === '' ? abs : resolve(dirname(abs), decodeURIComponent(pathPart));
        const report = (problem: string) => broken.push({ file, line, target, problem });
        if (relative(root, dest).startsWith('..')) { report('points outside the repository'); continue; }
        if (!existsSync(dest)) { report(`no such file: ${relative(root, dest)}`); continue; }
        if (fragment === '' || !dest.endsWith('.md') || statSync(dest).isDirectory()) continue;
        if (!anchors(dest).has(fragment.toLowerCase())) report(`no heading in ${relative(root, dest)} gives #${fragment}`);
      }
    }
  }
  return { checked, broken };
}
