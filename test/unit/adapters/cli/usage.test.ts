import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../adapters/cli/cli-command.js';
import { COMMANDS } from '../../../../adapters/cli/commands.js';
import { parseCommandLine } from '../../../../adapters/cli/parse-command-line.js';

/** A command line that satisfies `cmd`: its words, its arguments and every required flag. */
function minimal(name: string): string[] {
  const cmd = COMMANDS.find((c) => c.name === name)!;
  const args = Array.from({ length: cmd.args?.min ?? 0 }, (_, i) => `arg${i}`);
  const required = Object.entries(cmd.flags).flatMap(([n, f]) => (f.required ? [`--${n}`, 'x'] : []));
  return [...name.split(' '), ...args, ...required];
}

describe('CLI help and parser', () => {
  it.each(COMMANDS.map((c) => [c.name]))('help %s documents every flag the command takes, and the command takes each of them', (name) => {
    const help = parseCommandLine(['help', ...name.split(' ')]);
    expect(help.kind).toBe('help');
    const text = help.kind === 'help' ? help.text : '';
    expect(text).toMatch(new RegExp(`^usage: npm run airlock -- ${name}( |$)`, 'm'));
    const cmd = COMMANDS.find((c) => c.name === name)!;
    for (const [flag, spec] of Object.entries(cmd.flags)) {
      expect(text, `--${flag}`).toMatch(new RegExp(`^  --${flag}${spec.value ? ` ${spec.value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}` : ''}`, 'm'));
      const withFlag = [...minimal(name), ...(spec.required ? [] : spec.type === 'string' ? [`--${flag}`, 'v'] : [`--${flag}`])];
      expect(parseCommandLine(withFlag), withFlag.join(' ')).toMatchObject({ kind: 'run', command: { name } });
    }
  });

  it.each(COMMANDS.map((c) => [c.name]))('%s refuses a flag its help does not list, with its own usage', (name) => {
    let thrown: unknown;
    try {
      parseCommandLine([...minimal(name), '--frobnicate']);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as UsageError).usage).toMatch(new RegExp(`^usage: npm run airlock -- ${name}(\\s|$)`));
  });

  it('takes --json on every command that lists', () => {
    for (const name of ['agent list', 'review list', 'review show', 'admin', 'audit verify']) {
      expect(COMMANDS.find((c) => c.name === name)!.flags.json, name).toBeDefined();
    }
  });

  it('finds the command wherever its flags are, and leaves what follows -- to the upstream command', () => {
    expect(parseCommandLine(['admin', '--tenant', 'acme', 'status'])).toMatchObject({ kind: 'run', command: { name: 'admin' }, args: ['status'] });
    expect(parseCommandLine(['mcp-gateway', '--agent-key', 'k', '--', 'node', 'server.js', '--help'])).toMatchObject({ kind: 'run', args: ['node', 'server.js', '--help'] });
  });
});
