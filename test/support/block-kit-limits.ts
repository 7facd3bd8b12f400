import type { KnownBlock, ModalView } from '@slack/types';

/**
 * Block Kit's documented limits (docs.slack.dev/reference/block-kit), checked
 * on rendered JSON. Slack answers `invalid_blocks` when any is broken, and a
 * card that fails to post is an approval nobody can give, so renderers are
 * tested against every limit they could reach.
 */
export const LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  /** Slack allows 40,000; we keep notifications short. */
  messageText: 3000,
  blockId: 255,
  actionId: 255,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 2000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  inputLabel: 2000,
  inputHint: 2000,
  inputPlaceholder: 150,
  inputMaxLength: 3000,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
} as const;

type Json = Record<string, unknown>;

export function assertMessageWithinLimits(message: { text: string; blocks: KnownBlock[] }): void {
  const problems = blockProblems(message.blocks, LIMITS.messageBlocks);
  if (message.text.length === 0 || message.text.length > LIMITS.messageText) problems.push(`text length ${message.text.length}`);
  fail(problems);
}

export function assertWithinBlockKitLimits(blocks: KnownBlock[], maxBlocks: number = LIMITS.messageBlocks): void {
  fail(blockProblems(blocks, maxBlocks));
}

export function assertModalWithinLimits(view: ModalView): void {
  const problems = blockProblems(view.blocks as KnownBlock[], LIMITS.modalBlocks);
  checkText(problems, 'title', view.title, LIMITS.modalTitle, 'plain_text');
  if (view.submit) checkText(problems, 'submit', view.submit, LIMITS.modalButton, 'plain_text');
  if (view.close) checkText(problems, 'close', view.close, LIMITS.modalButton, 'plain_text');
  if (view.blocks.some((b) => b.type === 'input') && !view.submit) problems.push('a modal with inputs needs submit');
  if ((view.private_metadata ?? '').length > LIMITS.privateMetadata) problems.push('private_metadata too long');
  if ((view.callback_id ?? '').length > LIMITS.callbackId) problems.push('callback_id too long');
  fail(problems);
}

function blockProblems(blocks: KnownBlock[], maxBlocks: number): string[] {
  const problems: string[] = [];
  if (blocks.length > maxBlocks) problems.push(`${blocks.length} blocks (max ${maxBlocks})`);
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  for (const [i, block] of (blocks as unknown as Json[]).entries()) {
    const at = `blocks[${i}] (${String(block.type)})`;
    const blockId = block.block_id;
    if (typeof blockId === 'string') {
      if (blockId.length > LIMITS.blockId) problems.push(`${at}: block_id length ${blockId.length}`);
      if (blockIds.has(blockId)) problems.push(`${at}: duplicate block_id ${blockId}`);
      blockIds.add(blockId);
    }
    switch (block.type) {
      case 'header':
        checkText(problems, `${at}.text`, block.text, LIMITS.headerText, 'plain_text');
        break;
      case 'section': {
        const fields = block.fields as unknown[] | undefined;
        if (block.text === undefined && fields === undefined) problems.push(`${at}: needs text or fields`);
        if (block.text !== undefined) checkText(problems, `${at}.text`, block.text, LIMITS.sectionText);
        if (fields !== undefined) {
          if (fields.length === 0 || fields.length > LIMITS.sectionFields) problems.push(`${at}: ${fields.length} fields`);
          fields.forEach((f, j) => checkText(problems, `${at}.fields[${j}]`, f, LIMITS.fieldText));
        }
        break;
      }
      case 'context': {
        const elements = block.elements as unknown[];
        if (elements.length === 0 || elements.length > LIMITS.contextElements) problems.push(`${at}: ${elements.length} elements`);
        elements.forEach((e, j) => checkText(problems, `${at}.elements[${j}]`, e, LIMITS.contextText));
        break;
      }
      case 'actions': {
        const elements = block.elements as Json[];
        if (elements.length === 0 || elements.length > LIMITS.actionsElements) problems.push(`${at}: ${elements.length} elements`);
        elements.forEach((e, j) => checkElement(problems, `${at}.elements[${j}]`, e, actionIds));
        break;
      }
      case 'input': {
        checkText(problems, `${at}.label`, block.label, LIMITS.inputLabel, 'plain_text');
        if (block.hint !== undefined) checkText(problems, `${at}.hint`, block.hint, LIMITS.inputHint, 'plain_text');
        if (typeof blockId !== 'string') problems.push(`${at}: an input needs a block_id to be read back`);
        checkElement(problems, `${at}.element`, block.element as Json, new Set());
        break;
      }
      case 'divider':
        break;
      default:
        problems.push(`${at}: block type not checked by this helper`);
    }
  }
  return problems;
}

function checkElement(problems: string[], at: string, element: Json, actionIds: Set<string>): void {
  const actionId = element.action_id;
  if (typeof actionId === 'string') {
    if (actionId.length > LIMITS.actionId) problems.push(`${at}: action_id length ${actionId.length}`);
    if (actionIds.has(actionId)) problems.push(`${at}: duplicate action_id ${actionId}`);
    actionIds.add(actionId);
  }
  switch (element.type) {
    case 'button': {
      checkText(problems, `${at}.text`, element.text, LIMITS.buttonText, 'plain_text');
      if (typeof element.value === 'string' && element.value.length > LIMITS.buttonValue) problems.push(`${at}: value too long`);
      if (typeof element.url === 'string' && element.url.length > LIMITS.buttonUrl) problems.push(`${at}: url too long`);
      const confirm = element.confirm as Json | undefined;
      if (confirm) {
        if (confirm.title !== undefined) checkText(problems, `${at}.confirm.title`, confirm.title, LIMITS.confirmTitle, 'plain_text');
        checkText(problems, `${at}.confirm.text`, confirm.text, LIMITS.confirmText);
        if (confirm.confirm !== undefined) checkText(problems, `${at}.confirm.confirm`, confirm.confirm, LIMITS.confirmButton, 'plain_text');
        if (confirm.deny !== undefined) checkText(problems, `${at}.confirm.deny`, confirm.deny, LIMITS.confirmButton, 'plain_text');
      }
      break;
    }
    case 'plain_text_input': {
      const max = typeof element.max_length === 'number' ? element.max_length : LIMITS.inputMaxLength;
      if (max > LIMITS.inputMaxLength) problems.push(`${at}: max_length ${max}`);
      if (typeof element.initial_value === 'string' && element.initial_value.length > max) problems.push(`${at}: initial_value longer than max_length`);
      if (element.placeholder !== undefined) checkText(problems, `${at}.placeholder`, element.placeholder, LIMITS.inputPlaceholder, 'plain_text');
      break;
    }
    default:
      problems.push(`${at}: element type ${String(element.type)} not checked by this helper`);
  }
}

function checkText(problems: string[], at: string, value: unknown, max: number, only?: 'plain_text'): void {
  const text = value as Json | undefined;
  if (!text || (text.type !== 'plain_text' && text.type !== 'mrkdwn')) {
    problems.push(`${at}: not a text object`);
    return;
  }
  if (only && text.type !== only) problems.push(`${at}: must be ${only}`);
  const length = typeof text.text === 'string' ? text.text.length : 0;
  if (length === 0 || length > max) problems.push(`${at}: text length ${length} (1..${max})`);
}

function fail(problems: string[]): void {
  if (problems.length > 0) throw new Error(`Block Kit limits broken:\n${problems.join('\n')}`);
}
