/**
 * Reads the shell commands a documentation page shows, so a test can run each
 * one and hold the page to what it claims. The page's conventions:
 * - commands sit in ```sh blocks, one per line (`#` starts a comment);
 * - a trailing `# exit N` comment says the command exits N (no such comment: 0);
 * - a ```text block right after a ```sh block is an excerpt of what that
 *   block's last command prints (stdout and stderr, as a terminal shows them).
 */

export interface ShownCommand {
  /** The `##` heading the command is under. */
  section: string;
  /** The command as shown, without its comment. */
  line: string;
  /** The exit status the page gives it. */
  exit: number;
  /** The excerpt of its output the page shows, line by line (empty when none). */
  output: string[];
}

export interface FencedBlock {
  section: string;
  lang: string;
  text: string;
}

/** Every fenced block of the page, in order, with the `##` heading it is under. */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  let section = '';
  let open: FencedBlock | undefined;
  for (const line of markdown.split('\n')) {
    if (open) {
      if (line.startsWith('```')) {
        blocks.push(open);
        open = undefined;
      } else open.text += `${line}\n`;
    } else if (line.startsWith('```')) open = { section, lang: line.slice(3).trim(), text: '' };
    else if (line.startsWith('## ')) section = line.slice(3).trim();
  }
  if (open) throw new Error(`a fenced block under "${open.section}" is never closed`);
  return blocks;
}

/** The commands of the page's ```sh blocks, each with the exit status and output excerpt the page gives it. */
export function shownCommands(markdown: string): ShownCommand[] {
  const blocks = fencedBlocks(markdown);
  const commands: ShownCommand[] = [];
  blocks.forEach((block, i) => {
    if (block.lang !== 'sh') return;
    const inBlock: ShownCommand[] = [];
    for (const raw of block.text.split('\n')) {
      const [code = '', comment = ''] = splitComment(raw);
      if (code.trim() === '') continue;
      const exit = /^exit (\d+)\b/.exec(comment.trim())?.[1];
      inBlock.push({ section: block.section, line: code.trim(), exit: exit === undefined ? 0 : Number(exit), output: [] });
    }
    const next = blocks[i + 1];
    if (next?.lang === 'text' && inBlock.length > 0) inBlock[inBlock.length - 1]!.output = next.text.replace(/\n$/, '').split('\n');
    commands.push(...inBlock);
  });
  return commands;
}

/** A line split at its first `#` outside quotes: [code, comment]. */
function splitComment(line: string): [string, string] {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return [line.slice(0, i), line.slice(i + 1)];
  }
  return [line, ''];
}

/** A command line's words, as a POSIX shell would split them (quotes, no expansion). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}

/**
 * What varies from run to run in an excerpt line, matched by shape instead:
 * an ellipsis (anything), action ids, timestamps, dates, clock times, policy
 * versions; a run of spaces (table alignment) is any run of spaces. The
 * rest (counts, names, rates, durations) must be exactly as shown.
 */
const VARIABLE = new RegExp(
  [
    '(?<any>…)',
    '(?<uuid>\\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\b)',
    '(?<iso>\\b\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?Z)',
    '(?<date>\\b\\d{4}-\\d\\d-\\d\\d\\b)',
    '(?<time>\\b\\d\\d:\\d\\d\\b)',
    '(?<version>\\b[0-9a-f]{12}\\b)',
    '(?<spaces> {2,})',
  ].join('|'),
  'g',
);
const SHAPES: Record<string, string> = {
  any: '.*',
  uuid: '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}',
  iso: '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?Z',
  date: '\\d{4}-\\d\\d-\\d\\d',
  time: '\\d\\d:\\d\\d',
  version: '[0-9a-f]{12}',
  spaces: ' +',
};
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The pattern an excerpt line stands for (see VARIABLE). */
export function excerptPattern(line: string): RegExp {
  let source = '';
  let last = 0;
  for (const m of line.matchAll(VARIABLE)) {
    source += escape(line.slice(last, m.index)) + SHAPES[Object.entries(m.groups!).find(([, v]) => v !== undefined)![0]]!;
    last = m.index! + m[0].length;
  }
  return new RegExp(source + escape(line.slice(last)));
}

/**
 * The excerpt lines not found in `actual`, in order: each line of the
 * excerpt must match a line of the output after the one the previous
 * matched. A line that is only `…` stands for lines left out.
 */
export function missingFromOutput(excerpt: string[], actual: string): string[] {
  const lines = actual.split('\n');
  const missing: string[] = [];
  let at = 0;
  for (const shown of excerpt) {
    if (shown.trim() === '…' || shown.trim() === '') continue;
    const pattern = excerptPattern(shown.trim());
    const found = lines.findIndex((l, i) => i >= at && pattern.test(l));
    if (found === -1) missing.push(shown);
    else at = found + 1;
  }
  return missing;
}
