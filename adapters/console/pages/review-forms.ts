import type { CardButtons } from '../../../src/domain/approval-card.js';
import { getPath, parsePath } from '../../../src/domain/paths.js';
import { REDACTED } from '../../../src/domain/redact.js';
import { showInvisible } from '../../../src/domain/visible-text.js';
import { html, type Html } from '../html.js';

/** As long as a reason may be (the review use case keeps 2,000 characters). */
const REASON_MAX = 2000;
/** An edited value longer than this is not prefilled (it would come back cut). */
const EDIT_MAX = 3000;

/** Where a card's forms post, and what they carry besides their fields. */
export interface FormTarget {
  action: string;
  csrf: string;
  /** A console page to come back to after deciding. */
  back: string;
}

/**
 * The card's buttons as forms that work without a script: Approve (with a
 * required confirmation for an irreversible action, as the chat cards ask
 * before approving), Deny with a required reason, and Approve with changes
 * for the tool's editable arguments. Each carries the argument version the
 * card shows, so an approval counts only for what the reviewer saw.
 */
export function reviewForms(b: CardButtons, t: FormTarget): Html {
  const id = b.actionId;
  const hidden = html`<input type="hidden" name="_csrf" value="${t.csrf}"><input type="hidden" name="args_version" value="${b.argsVersion}"><input type="hidden" name="back" value="${t.back}">`;
  const approve = html`<form class="decide approve" method="post" action="${t.action}">
${hidden}
<label for="approve-reason-${id}">Reason (optional; the agent sees it)</label>
<input id="approve-reason-${id}" name="reason" maxlength="${REASON_MAX}" autocomplete="off">
${b.approveConfirm ? html`<p class="confirm"><input type="checkbox" id="confirm-${id}" name="confirmed" value="yes" required> <label for="confirm-${id}"><strong>I understand:</strong> ${b.approveConfirm.text}</label></p>` : ''}
<button type="submit" name="decision" value="approve">Approve</button>
</form>`;
  const deny = html`<form class="decide deny" method="post" action="${t.action}">
${hidden}
<label for="deny-reason-${id}">Reason to deny (required; the agent sees it)</label>
<textarea id="deny-reason-${id}" name="reason" maxlength="${REASON_MAX}" rows="2" required></textarea>
<button type="submit" name="decision" value="deny" class="danger">Deny</button>
</form>`;
  return html`<div class="review" role="group" aria-label="Decide">${approve}${deny}${b.editable.length > 0 ? editForm(b, t, hidden) : ''}</div>`;
}

function editForm(b: CardButtons, t: FormTarget, hidden: Html): Html {
  const id = b.actionId;
  const fields = [...new Set(b.editable)].map((path, i) => {
    const current = getPath(b.args, parsePath(path));
    const text = current === undefined ? undefined : typeof current === 'string' ? current : JSON.stringify(current);
    let hint: string;
    let value = '';
    if (text?.includes(REDACTED)) hint = 'The current value is redacted. Leave empty to keep it.';
    else if (text === undefined) hint = 'There is no current value. Leave empty to keep it so.';
    else if (text.length > EDIT_MAX) hint = 'The current value is too long to show here. Leave empty to keep it.';
    // Shown in a field, they would reorder or hide what the reviewer reads; made visible, an unedited submit would change the value.
    else if (showInvisible(text) !== text) hint = 'The current value contains invisible or direction-changing characters, so it is not shown here. Leave empty to keep it.';
    else {
      value = text;
      hint = typeof current === 'string' ? 'Leave as it is to keep the current value.' : 'A JSON value. Leave as it is to keep the current value.';
    }
    return html`<label for="edit-${id}-${i}"><code>${path}</code></label>
<textarea id="edit-${id}-${i}" name="edit:${path}" rows="${value.length > 80 || value.includes('\n') ? 4 : 1}" aria-describedby="edit-hint-${id}-${i}">${value}</textarea>
<p class="hint" id="edit-hint-${id}-${i}">${hint}</p>`;
  });
  return html`<details class="edit"><summary>Approve with changes</summary>
<form class="decide" method="post" action="${t.action}">
${hidden}
${fields}
<label for="edit-reason-${id}">Reason (optional; the agent sees it)</label>
<input id="edit-reason-${id}" name="reason" maxlength="${REASON_MAX}" autocomplete="off">
${b.approveConfirm ? html`<p class="confirm"><input type="checkbox" id="edit-confirm-${id}" name="confirmed" value="yes" required> <label for="edit-confirm-${id}"><strong>I understand:</strong> ${b.approveConfirm.text}</label></p>` : ''}
<button type="submit" name="decision" value="approve">Approve with changes</button>
</form></details>`;
}
