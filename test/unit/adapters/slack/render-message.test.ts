import { describe, expect, it } from 'vitest';
import { renderMessage } from '../../../../adapters/slack/render-message.js';
import { message } from '../../../../src/domain/message.js';

describe('renderMessage', () => {
  it('renders every line of a reply in full, so a refused reviewer is never sent an empty message', () => {
    expect(renderMessage(message(['Only members of the leads group can decide this action.'], ['Second ', { code: 'line' }]))).toBe(
      'Only members of the leads group can decide this action.\nSecond `line`',
    );
  });
});
