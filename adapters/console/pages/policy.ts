import { MODES } from '../../../src/domain/decision.js';
import type { OverrideStamp, TenantOverrides } from '../../../src/domain/policy-model.js';
import type { ReviewDatesReport } from '../../../src/usecases/list-review-dates.js';
import type { ShadowReport } from '../../../src/usecases/shadow-report.js';
import { html, raw, type Html } from '../html.js';
import { layout, type Chrome } from './layout.js';

export interface PolicyView {
  tenant: string;
  /** Admins see the forms; auditors read the same page without them. */
  admin: boolean;
  /** The live policy_version (file hash and overrides version) and the file hash alone. */
  version: string;
  fileVersion: string;
  overrides: TenantOverrides;
  /** The tools this tenant's agents may call, and its agents: what the forms offer. */
  tools: string[];
  agents: string[];
  reviewDates: ReviewDatesReport;
  /** Absent without POLICY_SHADOW_FILE; `report` absent while no shadow policy is loaded. */
  shadow?: { version?: string; report?: ShadowReport };
}

export const SHADOW_WINDOW = '7d';

const when = (at: string | undefined) => (at ? html`<time datetime="${at}">${at}</time>` : '—');

/** The live policy and what admins changed at runtime, review dates and the shadow policy's disagreements; admins also get the admin commands as forms. */
export function policyPage(v: PolicyView, chrome: Chrome): Html {
  const action = `/console/t/${encodeURIComponent(v.tenant)}/policy/command`;
  const form = (command: string, body: Html, button: string, opts: { inline?: boolean; danger?: boolean } = {}) =>
    html`<form method="post" action="${action}"${opts.inline ? raw(' class="inline-form"') : ''}><input type="hidden" name="_csrf" value="${chrome.csrf}"><input type="hidden" name="command" value="${command}">${body}<button type="submit"${opts.danger ? raw(' class="danger"') : ''}>${button}</button></form>`;
  const o = v.overrides;

  const stamps = (title: string, id: string, m: ReadonlyMap<string, OverrideStamp>, what: string, lift?: (name: string) => Html) => html`<h3 id="${id}">${title}</h3>
${
  m.size === 0
    ? html`<p class="empty">None.</p>`
    : html`<div class="scroll"><table><thead><tr><th scope="col">${what}</th><th scope="col">By</th><th scope="col">Since</th><th scope="col">Reason</th>${lift ? html`<th scope="col"><span class="visually-hidden">Lift</span></th>` : ''}</tr></thead>
<tbody>${[...m].map(([name, s]) => html`<tr><th scope="row"><code>${name}</code></th><td>${s.by ?? '—'}</td><td>${when(s.at)}</td><td>${s.reason ?? '—'}</td>${lift ? html`<td>${lift(name)}</td>` : ''}</tr>`)}</tbody></table></div>`
}`;

  const live = html`<section class="panel" aria-labelledby="live">
<h2 id="live">Live policy</h2>
<dl class="tiles">
<div><dt>Version</dt><dd><code>${v.version}</code></dd><dd class="sub">file hash, then the overrides' version</dd></div>
<div><dt>File hash</dt><dd><code>${v.fileVersion}</code></dd></div>
<div><dt>Incident mode</dt><dd>${o.incident.on ? html`<span class="state-on">ON</span>` : 'off'}</dd>${o.incident.on ? html`<dd class="sub">since ${when(o.incident.since)}${o.incident.reason ? html`: ${o.incident.reason}` : ''}</dd>` : ''}</div>
</dl>
</section>`;

  const overrides = html`<section class="panel" aria-labelledby="overrides">
<h2 id="overrides">Active overrides</h2>
${stamps('Denied tools', 'denied-tools', o.deniedTools, 'Tool', v.admin ? (tool) => form('allow-tool', html`<input type="hidden" name="tool" value="${tool}">`, 'Allow again', { inline: true }) : undefined)}
${stamps('Killed agents', 'killed-agents', o.killedAgents, 'Agent', v.admin ? (agent) => form('revive-agent', html`<input type="hidden" name="agent" value="${agent}">`, 'Revive', { inline: true }) : undefined)}
<h3 id="modes">Runtime modes</h3>
${
  o.toolModes.size === 0
    ? html`<p class="empty">None: every tool runs as the policy file says.</p>`
    : html`<div class="scroll"><table><thead><tr><th scope="col">Tool</th><th scope="col">Mode</th>${v.admin ? html`<th scope="col"><span class="visually-hidden">Clear</span></th>` : ''}</tr></thead>
<tbody>${[...o.toolModes].map(([tool, mode]) => html`<tr><th scope="row"><code>${tool}</code></th><td><code>${mode}</code></td>${v.admin ? html`<td>${form('mode', html`<input type="hidden" name="tool" value="${tool}"><input type="hidden" name="mode" value="policy">`, 'Back to the policy file', { inline: true })}</td>` : ''}</tr>`)}</tbody></table></div>
<p class="detail">Who set a mode and when is in the audit trail (<code>admin_change</code> events).</p>`
}
</section>`;

  const options = (names: string[]) => names.map((n) => html`<option value="${n}">${n}</option>`);
  const commands = v.admin
    ? html`<section class="panel" aria-labelledby="commands">
<h2 id="commands">Admin commands</h2>
<p class="detail">The same commands as <code>/airlock</code> in chat, audited under your identity provider's identity. Denying a tool or killing an agent denies its pending approvals at once.</p>
<div class="admin-forms">
${
  o.incident.on
    ? form('incident-off', html`<h3>Incident mode</h3><p>On since ${when(o.incident.since)}.</p>`, 'End incident mode')
    : form('incident-on', html`<h3>Incident mode</h3><label for="incident-reason">Reason</label><input type="text" id="incident-reason" name="reason" maxlength="500">`, 'Turn incident mode on', { danger: true })
}
${form('deny-tool', html`<h3>Deny a tool</h3><label for="deny-tool">Tool</label><select id="deny-tool" name="tool">${options(v.tools)}</select><label for="deny-reason">Reason</label><input type="text" id="deny-reason" name="reason" maxlength="500">`, 'Deny the tool', { danger: true })}
${form('kill-agent', html`<h3>Kill an agent</h3><label for="kill-agent">Agent</label><select id="kill-agent" name="agent">${options(v.agents)}</select><label for="kill-reason">Reason</label><input type="text" id="kill-reason" name="reason" maxlength="500">`, 'Kill the agent', { danger: true })}
${form('mode', html`<h3>Set a tool's mode</h3><label for="mode-tool">Tool</label><select id="mode-tool" name="tool">${options(v.tools)}</select><label for="mode-mode">Mode</label><select id="mode-mode" name="mode">${options([...MODES, 'policy'])}</select>`, 'Set the mode')}
</div>
</section>`
    : html`<p class="detail">You read this page as an auditor; the tenant's admins change overrides here or with <code>/airlock</code> in chat.</p>`;

  const r = v.reviewDates;
  const reviews = html`<section class="panel" aria-labelledby="reviews">
<h2 id="reviews">Review dates</h2>
${
  r.controls.length === 0
    ? html`<p class="empty">No control is past its review date or due within ${r.window_days} days.</p>`
    : html`<p>${r.overdue} overdue, ${r.due_soon} due within ${r.window_days} days (today ${r.today}, UTC).</p>
<div class="scroll"><table><thead><tr><th scope="col">Review by</th><th scope="col">Control</th><th scope="col">Owner</th><th scope="col">What</th></tr></thead>
<tbody>${r.controls.map((c) => html`<tr><td>${c.status === 'overdue' ? html`<strong class="state-on">overdue</strong> ` : ''}${c.review_by}</td><td><code>${c.control}</code></td><td>${c.owner ?? '—'}</td><td>${c.what}</td></tr>`)}</tbody></table></div>`
}
</section>`;

  return layout('Policy', html`<h1>Policy</h1>${live}${overrides}${commands}${reviews}${shadowSection(v.shadow)}`, { ...chrome, tenant: v.tenant, current: 'policy' });
}

function shadowSection(shadow: PolicyView['shadow']): Html {
  const head = html`<h2 id="shadow">Shadow policy</h2>`;
  if (!shadow) return html`<section class="panel" aria-labelledby="shadow">${head}<p class="empty">No shadow policy is configured (<code>POLICY_SHADOW_FILE</code>).</p></section>`;
  const s = shadow.report;
  if (!s) return html`<section class="panel" aria-labelledby="shadow">${head}<p class="empty">A shadow policy is configured but not loaded: the server logs say why.</p></section>`;
  const verdict = { unchanged: 'agrees with the live policy', tightens: 'is only stricter', loosens: 'would loosen something' }[s.verdict];
  return html`<section class="panel" aria-labelledby="shadow">${head}
<p>Shadow <code>${shadow.version ?? '?'}</code> over the last ${SHADOW_WINDOW}: on ${s.actions.toLocaleString('en')} requests it <strong>${verdict}</strong> (${s.unchanged.toLocaleString('en')} agree, ${s.counts.loosens} looser, ${s.counts.tightens} stricter, ${s.counts.relabels} relabelled${s.counts.undetermined ? `, ${s.counts.undetermined} undetermined` : ''}), as <code>airlock policy shadow-report --since ${SHADOW_WINDOW}</code> reports.</p>
${
  s.transitions.length === 0
    ? ''
    : html`<div class="scroll"><table><thead><tr><th scope="col">Live</th><th scope="col">Shadow</th><th scope="col">Effect</th><th scope="col" class="num">Requests</th><th scope="col">Tools</th></tr></thead>
<tbody>${s.transitions.map((t) => html`<tr><td>${t.from}</td><td>${t.to}</td><td>${t.effect === 'loosens' ? html`<strong class="state-on">looser</strong>` : t.effect === 'tightens' ? 'stricter' : 'relabelled'}</td><td class="num">${t.count}</td><td>${t.tools.map((tc, i) => html`${i > 0 ? ', ' : ''}<code>${tc.tool}</code> ${tc.count}`)}</td></tr>`)}</tbody></table></div>`
}
</section>`;
}
