import type { InputBlock, KnownBlock, ModalView, PlainTextInput } from '@slack/types';
import { currentArgs, isIrreversible, type Action } from '../../src/domain/action.js';
import { getPath, parsePath } from '../../src/domain/paths.js';
import { showInvisible } from '../../src/domain/visible-text.js';
import { REDACTED } from '../../src/domain/redact.js';
import {
  APPROVE_EDIT_MODAL_CALLBACK_ID,
  DENY_MODAL_CALLBACK_ID,
  EDIT_VALUE_ACTION_ID,
  MAX_BLOCK_ID,
  REASON_ACTION_ID,
  REASON_BLOCK_ID,
  editBlockId,
} from './card-ids.js';
import { inlineCode, truncate } from './mrkdwn.js';

// Block Kit limits for modals: 100 blocks, 2000-character labels and hints,
// and a plain_text_input holds at most 3000 characters.
const MAX_MODAL_BLOCKS = 100;
const LABEL_MAX = 2000;
const INPUT_MAX = 3000;
const REASON_MAX = 2000;

/** Asks for the reason a reviewer denies; the agent is shown it. `callbackMeta` comes back on submit as private_metadata. */
export function renderDenyModal(actionId: string, callbackMeta: string): ModalView {
  return {
    type: 'modal',
    callback_id: DENY_MODAL_CALLBACK_ID,
    private_metadata: callbackMeta,
    title: { type: 'plain_text', text: 'Deny action' },
    submit: { type: 'plain_text', text: 'Deny' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Action ${inlineCode(actionId, 300)}`, verbatim: true }] },
      reasonInput({ optional: false, label: 'Why deny it? The agent sees this reason.' }),
    ],
  };
}

/**
 * One input per editable argument path, prefilled with the current value
 * (JSON for anything that is not a string). An input left empty keeps the
 * current value. A value is never prefilled when doing so would change it on
 * an unedited submit: a value that is or contains a redacted one would come
 * back as the `[redacted]` marker, and one longer than an input holds would
 * come back cut.
 */
export function renderApproveEditModal(action: Action, editable: string[], callbackMeta: string): ModalView {
  const blocks: KnownBlock[] = [
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `Action ${inlineCode(action.id, 300)} · ${inlineCode(action.tool, 300)}`, verbatim: true }],
    },
  ];
  if (isIrreversible(action)) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: ':rotating_light: *IRREVERSIBLE* — once approved, this action cannot be undone.' } });
  }
  // Slack rejects a view with duplicate or over-long block ids; the policy schema should keep paths short.
  const paths = [...new Set(editable)].filter((p) => editBlockId(p).length <= MAX_BLOCK_ID);
  const room = MAX_MODAL_BLOCKS - blocks.length - 1;
  blocks.push(...paths.slice(0, room).map((path) => editInput(action, path)));
  blocks.push(reasonInput({ optional: true, label: 'Reason (optional). The agent sees it.' }));
  return {
    type: 'modal',
    callback_id: APPROVE_EDIT_MODAL_CALLBACK_ID,
    private_metadata: callbackMeta,
    title: { type: 'plain_text', text: 'Approve with changes' },
    submit: { type: 'plain_text', text: 'Approve' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

function editInput(action: Action, path: string): InputBlock {
  const current = getPath(currentArgs(action), parsePath(path));
  const text = current === undefined ? undefined : typeof current === 'string' ? current : safeJson(current);
  const element: PlainTextInput = {
    type: 'plain_text_input',
    action_id: EDIT_VALUE_ACTION_ID,
    multiline: typeof current !== 'string' || (text?.length ?? 0) > 150 || (text?.includes('\n') ?? false),
    max_length: INPUT_MAX,
  };
  let hint: string;
  if (text?.includes(REDACTED)) hint = 'The current value is redacted. Leave empty to keep it.';
  else if (text === undefined) hint = 'No current value is shown. Leave empty to keep it as it is.';
  else if (text.length > INPUT_MAX) hint = 'The current value is too long to show here. Leave empty to keep it.';
  // Shown in an input, they would reorder or hide what the reviewer reads; made visible, an unedited submit would change the value.
  else if (showInvisible(text) !== text) hint = 'The current value contains invisible or direction-changing characters, so it is not shown here. Leave empty to keep it.';
  else {
    element.initial_value = text;
    hint = typeof current === 'string' ? 'Leave empty to keep the current value.' : 'A JSON value. Leave empty to keep the current value.';
  }
  return {
    type: 'input',
    block_id: editBlockId(path),
    optional: true,
    label: { type: 'plain_text', text: truncate(path, LABEL_MAX) },
    hint: { type: 'plain_text', text: hint },
    element,
  };
}

function reasonInput({ optional, label }: { optional: boolean; label: string }): InputBlock {
  return {
    type: 'input',
    block_id: REASON_BLOCK_ID,
    optional,
    label: { type: 'plain_text', text: label },
    element: { type: 'plain_text_input', action_id: REASON_ACTION_ID, multiline: true, max_length: REASON_MAX },
  };
}

/** Arguments came from JSON, but a pathologically deep value can still overflow the stack. */
function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
