import { describe, expect, it } from 'vitest';
import { argsToExecute } from '../src/index.js';

describe('argsToExecute', () => {
  const own = { to: 'jane@example.com', subject: 'Hi', body: 'secret', attachments: [{ name: 'a.pdf', content: 'AAA' }, { name: 'b.pdf', content: 'BBB' }] };

  it('is the agent’s own arguments when reviewers changed nothing', () => {
    expect(argsToExecute(own, {})).toEqual(own);
  });

  it('takes the approved values, and the agent’s own where Airlock shows [redacted], nested ones included', () => {
    const approved = { to: 'jane@example.com', subject: 'Hello', body: '[redacted]', attachments: [{ name: 'a.pdf', content: '[redacted]' }, { name: 'b.pdf', content: '[redacted]' }] };
    expect(argsToExecute(own, { approved_args: approved, args_edits: [] })).toEqual({ ...own, subject: 'Hello' });
  });

  it('keeps a value a reviewer edited to read "[redacted]"', () => {
    const approved = { ...own, subject: '[redacted]', body: '[redacted]' };
    const edits = [{ version: 2, by: { platform: 'slack', id: 'U1', team_id: 'T', email: null, name: null }, at: '', changes: [{ path: 'subject', from: 'Hi', to: '[redacted]' }] }];
    expect(argsToExecute(own, { approved_args: approved, args_edits: edits })).toEqual({ ...own, subject: '[redacted]' });
  });

  it('drops what the approved arguments drop', () => {
    expect(argsToExecute({ a: 1, b: 2 }, { approved_args: { a: 1 } })).toEqual({ a: 1 });
  });
});
