import { html, type Html } from '../html.js';
import type { Flash, SignedIn } from '../session.js';

/** What the header shows for a signed-in person. */
export interface Chrome {
  signedIn: SignedIn;
  csrf: string;
  /** The tenant the page belongs to, when it belongs to one. */
  tenant?: string;
  /** How many tenants the person may enter (a switch link when more than one). */
  tenants: number;
  current?: 'inbox' | 'activity' | 'dashboard' | 'policy';
  /** Reads the whole tenant (an auditor or admin): the dashboard and policy pages are theirs. */
  reads?: boolean;
  flash?: Flash;
}

/**
 * Every console page: one style sheet and one script, both served by
 * Airlock (the Content-Security-Policy allows nothing else, inline included).
 */
export function layout(title: string, body: Html, chrome?: Chrome): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Airlock</title>
<link rel="stylesheet" href="/console/assets/console.css">
<script src="/console/assets/local-time.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<a class="brand" href="/console">Airlock</a>
${chrome ? header(chrome) : ''}
</header>
<main id="main">
${chrome?.flash ? html`<p class="flash flash-${chrome.flash.tone}" role="status">${chrome.flash.text}</p>` : ''}
${body}
</main>
</body>
</html>`;
}

function header(c: Chrome): Html {
  const who = c.signedIn.who;
  const t = c.tenant ? encodeURIComponent(c.tenant) : undefined;
  return html`<nav aria-label="Console">
${c.tenant ? html`<span class="tenant" title="Tenant">${c.tenant}</span>` : ''}
${t ? html`<a href="/console/t/${t}/inbox"${c.current === 'inbox' ? html` aria-current="page"` : ''}>Inbox</a>` : ''}
${t && c.reads ? html`<a href="/console/t/${t}/activity"${c.current === 'activity' ? html` aria-current="page"` : ''}>Activity</a>` : ''}
${t && c.reads ? html`<a href="/console/t/${t}/dashboard"${c.current === 'dashboard' ? html` aria-current="page"` : ''}>Dashboard</a>
<a href="/console/t/${t}/policy"${c.current === 'policy' ? html` aria-current="page"` : ''}>Policy</a>` : ''}
${c.tenant && c.tenants > 1 ? html`<a href="/console">Switch tenant</a>` : ''}
</nav>
<form class="signout" method="post" action="/console/logout">
<span class="who">${who.name ?? who.email ?? who.subject}</span>
<input type="hidden" name="_csrf" value="${c.csrf}">
<button type="submit">Sign out</button>
</form>`;
}
