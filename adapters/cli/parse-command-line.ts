import { parseArgs } from 'node:util';
import { UsageError, type CliCommand, type FlagValues } from './cli-command.js';
import { COMMANDS, commandsOf, GROUPS } from './commands.js';
import { commandUsage, groupUsage, overview, PROGRAM } from './usage-text.js';

export type CommandLine =
  | { kind: 'run'; command: CliCommand; values: FlagValues; args: string[] }
  | { kind: 'help'; text: string }
  | { kind: 'version' };

/** Flags that take a value, in any command: to skip those values while finding the command's words. */
const VALUED = new Set(COMMANDS.flatMap((c) => Object.entries(c.flags).filter(([, f]) => f.type === 'string').map(([n]) => n)));

export const fullUsage = (): string =>
  [
    `usage: ${PROGRAM} <command>`,
    overview(COMMANDS),
    `  help [command]                           this list, a group's commands (${GROUPS.join(', ')}) or one command's flags`,
    '  --version                                print Airlock\'s version',
  ].join('\n');

/** The first `n` words that are not flags nor their values, before any `--`: `admin --tenant acme status` starts with `admin`. */
function leadingWords(argv: string[], n: number): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < n; i++) {
    const token = argv[i]!;
    if (token === '--') break;
    if (token.startsWith('-') && token.length > 1) {
      if (token.startsWith('--') && !token.includes('=') && VALUED.has(token.slice(2))) i++;
      continue;
    }
    words.push(token);
  }
  return words;
}

const find = (words: string[]) => COMMANDS.find((c) => c.name === words.slice(0, 2).join(' ')) ?? COMMANDS.find((c) => c.name === words[0]);

/** What `help <words>` prints: one command's usage, a group's, or everything. */
function helpFor(words: string[]): string {
  if (words.length === 0) return fullUsage();
  const command = find(words);
  if (command && command.name.split(' ').length <= words.length) return commandUsage(command);
  if (GROUPS.includes(words[0]!) && words.length === 1) return groupUsage(words[0]!, commandsOf(words[0]!));
  throw new UsageError(`no such command: ${words.join(' ')}`, fullUsage());
}

/**
 * argv → the command and its flags, parsed strictly against the flags the
 * command lists (the same table its help is printed from): a flag it does not
 * take is a usage error, never silently ignored.
 */
export function parseCommandLine(argv: string[]): CommandLine {
  // Whatever follows `--` belongs to an upstream command, its --help included.
  const own = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  const words = leadingWords(own, 3);
  if (own.includes('--version') || own.includes('-v') || words[0] === 'version') return { kind: 'version' };
  if (words.length === 0) return { kind: 'help', text: fullUsage() };
  if (words[0] === 'help') return { kind: 'help', text: helpFor(words.slice(1)) };
  const help = own.includes('--help') || own.includes('-h');
  const command = find(words);
  if (!command) {
    const group = GROUPS.includes(words[0]!) ? words[0]! : undefined;
    if (group && (words.length === 1 || help)) return { kind: 'help', text: groupUsage(group, commandsOf(group)) };
    throw new UsageError(`unknown command: ${words.join(' ')}`, group ? groupUsage(group, commandsOf(group)) : fullUsage());
  }
  const usage = commandUsage(command);
  let parsed: { values: FlagValues; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { ...Object.fromEntries(Object.entries(command.flags).map(([n, f]) => [n, { type: f.type, multiple: f.multiple ?? false }])), help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError((e as Error).message, usage);
    throw e;
  }
  if (parsed.values.help) return { kind: 'help', text: usage };
  const args = parsed.positionals.slice(command.name.split(' ').length);
  for (const [name, flag] of Object.entries(command.flags)) {
    const v = parsed.values[name];
    if (flag.required && (typeof v !== 'string' || v.length === 0)) throw new UsageError(`--${name} is required`, usage);
  }
  const { min, max } = command.args ?? { min: 0, max: 0 };
  if (args.length < min) throw new UsageError(`${command.name} needs ${command.args!.text}`, usage);
  if (args.length > max) throw new UsageError(`unexpected argument: ${args.slice(max).join(' ')}`, usage);
  return { kind: 'run', command, values: parsed.values, args };
}
