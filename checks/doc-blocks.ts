/**
 * The runnable code blocks of a Markdown page: shell commands (```sh, ```bash, ```console) and
 * JavaScript/TypeScript (```js, ```mjs, ```ts), with the attributes of their info string.
 *
 * An info string is the language, then `key="value"` (or `key=value`) attributes, e.g.
 * ```sh skip="needs Redis on another machine"   — the only way a block escapes being run.
 * ```js file=my-gd.js                             — the name the block is written under (else a
 *                                                   first-line comment `// name.js`, else one made up).
 */

export type BlockKind = 'shell' | 'script';

export interface DocBlock {
  /** The page as given (e.g. README.md, docs/suites.md). */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** `file:line`: how failures name the block. */
  label: string;
  lang: string;
  kind: BlockKind;
  attrs: Record<string, string>;
  code: string;
}

const SHELL = new Set(['sh', 'bash', 'console', 'shell']);
const SCRIPT = new Set(['js', 'mjs', 'javascript', 'ts', 'typescript']);

/** Language and attributes of an info string such as `sh skip="takes an hour"`. */
export function parseInfo(info: string): { lang: string; attrs: Record<string, string> } {
  const trimmed = info.trim();
  const lang = (/^[^\s{]*/.exec(trimmed)?.[0] ?? '').toLowerCase();
  const attrs: Record<string, string> = {};
  const re = /([A-Za-z][\w-]*)=(?:"([^"]*)"|'([^']*)'|(\S+))/g;
  for (let m = re.exec(trimmed.slice(lang.length)); m; m = re.exec(trimmed.slice(lang.length))) {
    attrs[m[1]] = m[2] ?? m[3] ?? m[4] ?? '';
  }
  return { lang, attrs };
}

/**
 * Every fenced block of `markdown` whose language is runnable. Fences follow CommonMark: an
 * opening run of 3+ backticks or tildes closes at a run of the same character at least as long.
 * In a ```console block only the `$ ` lines are commands (the rest is shown output).
 */
export function extractBlocks(markdown: string, file: string): DocBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,3})(`{3,}|~{3,})(.*)$/.exec(lines[i]);
    if (!open) continue;
    const fence = open[2];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(lines[j]);
      if (close && close[1][0] === fence[0] && close[1].length >= fence.length) break;
      body.push(lines[j].startsWith(open[1]) ? lines[j].slice(open[1].length) : lines[j]);
    }
    const { lang, attrs } = parseInfo(open[3]);
    const kind: BlockKind | undefined = SHELL.has(lang) ? 'shell' : SCRIPT.has(lang) ? 'script' : undefined;
    if (kind) {
      const code = lang === 'console'
        ? body.filter((l) => /^\$ /.test(l)).map((l) => l.slice(2)).join('\n')
        : body.join('\n');
      blocks.push({ file, line: i + 1, label: `${file}:${i + 1}`, lang, kind, attrs, code });
    }
    i = j;
  }
  return blocks;
}

/**
 * The commands of a shell block, one per logical line: `\` continuations joined, blank and
 * comment-only lines dropped, trailing comments kept (the shell ignores them).
 */
export function shellCommands(code: string): string[] {
  const out: string[] = [];
  let pending = '';
  for (const raw of code.split('\n')) {
    const line = pending + raw;
    if (/\\\s*$/.test(raw)) { pending = line.replace(/\\\s*$/, ' '); continue; }
    pending = '';
    if (/^\s*(#.*)?$/.test(line)) continue;
    out.push(line.trim());
  }
  if (pending.trim()) out.push(pending.trim());
  return out;
}

/** The words of a command without its trailing comment, quotes removed (enough for shape checks). */
export function commandWords(command: string): string[] {
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(command); m; m = re.exec(command)) {
    if (m[3]?.startsWith('#')) break;
    words.push(m[1] ?? m[2] ?? m[3]);
  }
  return words;
}
