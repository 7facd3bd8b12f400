import type { TenantAccess } from '../../../src/domain/console-access.js';
import { html, type Html } from '../html.js';
import { layout, type Chrome } from './layout.js';

const roles = (a: TenantAccess): string =>
  [a.admin ? 'admin' : a.reads ? 'auditor' : undefined, a.reviews.length > 0 ? `reviewer (${a.reviews.join(', ')})` : undefined].filter(Boolean).join(' · ');

/** A person listed in several tenants picks the one to work in; every page after belongs to that tenant alone. */
export const tenantsPage = (access: TenantAccess[], chrome: Chrome): Html =>
  layout(
    'Choose a tenant',
    html`<h1>Choose a tenant</h1>
<p>You have a role in more than one tenant. Each page shows one tenant only.</p>
<ul class="tenants">${access.map((a) => html`<li><a href="/console/t/${encodeURIComponent(a.tenant)}/inbox">${a.tenant}</a> <span class="roles">${roles(a)}</span></li>`)}</ul>`,
    chrome,
  );
