import { html, type Html } from '../html.js';
import { layout, type Chrome } from './layout.js';

/** A page that only says something: an error, a refusal, a next step. */
export const notice = (title: string, body: Html, chrome?: Chrome): Html => layout(title, html`<section class="notice"><h1>${title}</h1>${body}</section>`, chrome);

const signInLink = (next?: string) => html`<p><a class="button" href="/console/login${next ? html`?next=${encodeURIComponent(next)}` : ''}">Sign in</a></p>`;

export const idpUnreachable = (state: string) =>
  notice(
    'The identity provider cannot be reached',
    html`<p>Airlock signs you in through your organisation's identity provider, and cannot reach it right now. Airlock keeps trying; try again in a minute.</p>
<p class="detail">${state}</p>
<p><a class="button" href="/console/login">Try again</a></p>`,
  );

export const signInFailed = (why: string) =>
  notice('Sign-in did not complete', html`<p>${why}</p>${signInLink()}`);

export const notSignedIn = () => notice('Sign in first', html`<p>Your session has ended or you have not signed in yet, so nothing was changed.</p>${signInLink()}`);

export const signedOut = () =>
  notice('Signed out', html`<p>You have signed out of Airlock. Where your identity provider offers it, you were signed out there too; otherwise you may still be signed in at it.</p>${signInLink()}`);

/** For a person the policy gives no role in any tenant; `refused` when what they sent (a decision) was turned away. */
export const noRole = (who: string, chrome: Chrome, refused = false) =>
  notice(
    'No access',
    html`${refused ? html`<p>Nothing was changed.</p>` : ''}<p>You are signed in as <strong>${who}</strong>, but you are not connected to any Airlock tenant: the policy gives you no role in any tenant. Ask an Airlock admin to list your email address or one of your groups under a tenant's <code>console</code> or a reviewer group's <code>console</code>.</p>
<p>An email address your identity provider has not verified counts for nothing.</p>`,
    chrome,
  );

export const notFound = (chrome?: Chrome) => notice('Not found', html`<p>There is nothing here, or nothing you may see.</p><p><a href="/console">Back to the console</a></p>`, chrome);

export const formExpired = () =>
  notice('This form has expired', html`<p>The form did not carry a valid token for your session (it may come from an older page, or from another site), so nothing was changed. Reload the page and try again.</p><p><a href="/console">Back to the console</a></p>`);

export const badRequest = (why: string) => notice('Bad request', html`<p>${why}</p><p><a href="/console">Back to the console</a></p>`);

export const failed = () => notice('Something went wrong', html`<p>Airlock could not answer this request; it has been logged. Try again in a moment.</p><p><a href="/console">Back to the console</a></p>`);
