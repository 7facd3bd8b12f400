import type { CliCommand, Flag } from './cli-command.js';

export const PROGRAM = 'npm run airlock --';

const COLUMN = 43;
/** Beyond this many optional flags a command's overview line says `[options]`; its own help lists them all. */
const OVERVIEW_FLAGS = 4;

const flagText = (name: string, f: Flag) => `--${name}${f.value ? ` ${f.value}` : ''}${f.multiple ? '…' : ''}`;

/** How the command is called: its words, arguments and flags (optional ones in brackets). */
export function synopsis(cmd: CliCommand, opts: { all: boolean } = { all: true }): string {
  const flags = Object.entries(cmd.flags);
  const required = flags.filter(([, f]) => f.required).map(([n, f]) => flagText(n, f));
  const optional = flags.filter(([, f]) => !f.required);
  const listed = !opts.all && optional.length > OVERVIEW_FLAGS ? ['[options]'] : optional.map(([n, f]) => `[${flagText(n, f)}]`);
  const args = cmd.args?.text;
  // A trailing upstream command (`-- <command...>`) reads last; other arguments follow the command's words.
  const trailing = args?.startsWith('--');
  return [cmd.name, ...(args && !trailing ? [args] : []), ...required, ...listed, ...(args && trailing ? [args] : [])].join(' ');
}

/** A two-column entry: the left text, then the description from column 43 (on the next line when the left is too long). */
function entry(left: string, about: string[]): string[] {
  const indent = ' '.repeat(COLUMN);
  const head = `  ${left}`;
  if (about.length === 0) return [head];
  if (head.length < COLUMN - 1) return [head.padEnd(COLUMN) + about[0], ...about.slice(1).map((l) => indent + l)];
  return [head, ...about.map((l) => indent + l)];
}

/** One line (or a few) per command, for `help` and a group's help. */
export const overview = (commands: readonly CliCommand[]): string => commands.flatMap((c) => entry(synopsis(c, { all: false }), c.about)).join('\n');

/** `help <command>`: the whole synopsis, what it does and every flag it takes. */
export function commandUsage(cmd: CliCommand): string {
  const flags = Object.entries(cmd.flags).map(([n, f]) => entry(flagText(n, f), [`${f.about}${f.required ? ' (required)' : ''}`]));
  return [
    `usage: ${PROGRAM} ${synopsis(cmd)}`,
    ...cmd.about.map((l) => `  ${l}`),
    '',
    'options:',
    ...flags.flat(),
    ...entry('-h, --help', ['this help']),
  ].join('\n');
}

export const groupUsage = (group: string, commands: readonly CliCommand[]): string => `usage: ${PROGRAM} ${group} <command>\n${overview(commands)}`;
