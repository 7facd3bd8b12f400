import { describe, expect, it } from 'vitest';
import { AirlockClientError, gateOutcome, wrapTool, type Action, type Gatekeeper } from '../src/index.js';

/** Any Gatekeeper may stand behind wrapTool (a test double, a caching layer); its answer is checked all the same. */
const allowed = (tool: string) =>
  ({
    id: 'act_1',
    status: 'decided',
    decision: 'allow',
    mode: 'allow',
    reasons: ['allowed'],
    rule: `tools.${tool}.mode`,
    tool,
    args_version: 1,
    args_sha256: 'f'.repeat(64),
  }) as unknown as Action;

describe('wrapTool', () => {
  it('does not run the tool when the gate allowed another tool', async () => {
    let reported = 0;
    const gatekeeper: Gatekeeper = {
      gate: async () => gateOutcome(allowed('send_money'), {}),
      reportResult: async (a) => {
        reported++;
        return a as Action;
      },
    };
    let ran = 0;
    const lookup = wrapTool(gatekeeper, async () => ++ran, { tool: 'lookup', requester: { id: 'U1' } });
    await expect(lookup({})).rejects.toSatisfy((e) => e instanceof AirlockClientError && e.kind === 'malformed' && e.message.includes('send_money'));
    expect(ran).toBe(0);
    expect(reported).toBe(0);
  });

  it('runs the tool when the gate allowed this tool', async () => {
    const gatekeeper: Gatekeeper = { gate: async () => gateOutcome(allowed('lookup'), {}), reportResult: async (a) => a as Action };
    const lookup = wrapTool(gatekeeper, async () => 'found', { tool: 'lookup', requester: { id: 'U1' }, reportResult: false });
    expect(await lookup({})).toBe('found');
  });
});
