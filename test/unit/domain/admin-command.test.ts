import { describe, expect, it } from 'vitest';
import { parseAdminCommand } from '../../../src/domain/admin-command.js';
import { toPlainText, type Message } from '../../../src/domain/message.js';

describe('parseAdminCommand', () => {
  it.each([
    ['deny-tool send_email leaked data', { kind: 'deny-tool', tool: 'send_email', reason: 'leaked data' }],
    ['deny-tool send_email', { kind: 'deny-tool', tool: 'send_email', reason: undefined }],
    ['allow-tool send_email', { kind: 'allow-tool', tool: 'send_email' }],
    ['incident on  breach in progress', { kind: 'incident-on', reason: 'breach in progress' }],
    ['INCIDENT OFF', { kind: 'incident-off' }],
    ['kill-agent support-bot loops', { kind: 'kill-agent', agent: 'support-bot', reason: 'loops' }],
    ['revive-agent support-bot', { kind: 'revive-agent', agent: 'support-bot' }],
    ['mode send_email draft_write', { kind: 'mode', tool: 'send_email', mode: 'draft_write' }],
    ['mode send_email policy', { kind: 'mode', tool: 'send_email', mode: 'policy' }],
    ['ids', { kind: 'ids' }],
    ['status', { kind: 'status' }],
    ['pending', { kind: 'pending' }],
    ['', { kind: 'help' }],
    ['help', { kind: 'help' }],
  ])('parses %j', (text, expected) => {
    expect(parseAdminCommand(text)).toEqual(expected);
  });

  it.each(['frobnicate', 'deny-tool', 'allow-tool a b', 'incident', 'incident maybe', 'incident off now', 'mode send_email', 'mode send_email yolo', 'status now', 'kill-agent', 'deny-tool <!channel>'])(
    'answers %j with usage',
    (text) => {
      const out = parseAdminCommand(text);
      expect(out).toHaveProperty('error');
      expect(toPlainText((out as { error: Message }).error)).toContain('Usage');
    },
  );
});
