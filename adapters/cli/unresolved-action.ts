import { escapeTerminal } from '../../src/domain/terminal-text.js';
import type { ActionIdMatch } from '../../src/usecases/resolve-action-id.js';
import type { CliIo } from './cli-command.js';

/**
 * Why an id or prefix named no single action of the tenant, on stderr: one
 * line when none (the same whether the action never existed or is another
 * tenant's), the candidates when several start so.
 */
export function reportUnresolved(io: CliIo, tenant: string, wanted: string, match: Exclude<ActionIdMatch, { kind: 'one' }>): void {
  if (match.kind === 'none') {
    io.err(escapeTerminal(`No action ${wanted} in tenant ${tenant}.`));
    return;
  }
  io.err(escapeTerminal(`${wanted} is the start of more than one action in tenant ${tenant}; give more of the id:`));
  for (const id of match.candidates) io.err(`  ${id}`);
  if (match.more) io.err('  …and more');
}
