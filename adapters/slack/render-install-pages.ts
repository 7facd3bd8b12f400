/**
 * The pages a person sees while installing Airlock into Slack: the install
 * page with its "Add to Slack" link, the page after a successful install
 * (what to put into the policy next), and the page after a refused one
 * (what to do about it). Pure: every value is escaped; nothing from an
 * error's stack is ever shown.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

const page = (title: string, body: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; color: #1f2937; }
a.button { display: inline-block; padding: .6rem 1.2rem; border-radius: .4rem; background: #4a154b; color: #fff; text-decoration: none; font-weight: 600; }
code { background: #f3f4f6; padding: 0 .25rem; border-radius: .2rem; }
</style>
</head>
<body>
<h1>${escape(title)}</h1>
${body}
</body>
</html>
`;

export function renderInstallPage(addToSlackUrl: string): string {
  return page(
    'Install Airlock in Slack',
    `<p>Airlock posts approval cards for your AI agents' risky actions to reviewer channels, and takes <code>/airlock</code> admin commands.</p>
<p><a class="button" href="${escape(addToSlackUrl)}">Add to Slack</a></p>
<p>Slack asks you to pick the workspace (or, on Enterprise Grid, the organisation) and to allow the app. The link is good for 5 minutes, in this browser.</p>`,
  );
}

export interface InstalledWhere {
  teamId?: string;
  teamName?: string;
  enterpriseId?: string;
  enterpriseName?: string;
  orgWide: boolean;
}

export function renderInstalledPage(w: InstalledWhere): string {
  const name = (n: string | undefined, id: string | undefined) => `${escape(n ?? id ?? '?')}${n && id ? ` (<code>${escape(id)}</code>)` : ''}`;
  const where = w.orgWide ? `the organisation ${name(w.enterpriseName, w.enterpriseId)}` : `the workspace ${name(w.teamName, w.teamId)}`;
  const teamIds = w.orgWide
    ? 'the team id of each of its workspaces that a tenant uses (<code>/airlock ids</code> in a channel there shows it)'
    : `<code>${escape(w.teamId ?? '?')}</code>`;
  return page(
    'Airlock is installed',
    `<p>Airlock is installed in ${where}.</p>
<p>Next:</p>
<ol>
<li>In the policy, put ${teamIds} into <code>tenants.&lt;tenant&gt;.slack.team_id</code>.</li>
<li>Invite the bot to every reviewer channel the policy names: <code>/invite @airlock</code>.</li>
</ol>
<p>You can close this page.</p>`,
  );
}

export interface Refusal {
  status: number;
  title: string;
  advice: string;
}

const startAgain = 'Start again at <a href="/slack/install">/slack/install</a>, in one browser, within 5 minutes.';

/**
 * What to tell the person whose install did not complete, from the
 * installer's error code (and, for a refusal by Slack, Slack's error name;
 * for a redirect without a code, the `error` Slack put in it).
 */
export function refusalOf(code: string | undefined, slackError: string | undefined, redirectError: string | undefined): Refusal {
  switch (code) {
    case 'slack_oauth_invalid_state':
    case 'slack_oauth_missing_state':
      return { status: 400, title: 'This install link cannot be used', advice: `It expired, was used already, or was opened in another browser than the one that started it. Nothing was installed. ${startAgain}` };
    case 'slack_oauth_installer_authorization_error':
      return { status: 400, title: 'The installation was cancelled', advice: `Slack reports that it was cancelled there; nothing was installed. To install Airlock, ${startAgain.charAt(0).toLowerCase()}${startAgain.slice(1)}` };
    case 'slack_oauth_missing_code':
      return {
        status: 400,
        title: 'Slack did not complete the installation',
        advice: `${redirectError ? `Slack said <code>${escape(redirectError)}</code>. ` : ''}Nothing was installed. ${startAgain}`,
      };
    case 'slack_webapi_platform_error':
      return { status: 502, title: 'Slack refused to complete the installation', advice: `Slack answered <code>${escape(slackError ?? 'an error')}</code>. ${adviceFor(slackError)} Nothing was installed. ${startAgain}` };
    default:
      return {
        status: 503,
        title: 'Airlock could not complete the installation',
        advice: `Nothing was installed. Try again in a minute: ${startAgain.charAt(0).toLowerCase()}${startAgain.slice(1)} If it keeps failing, Airlock's log says why.`,
      };
  }
}

function adviceFor(slackError: string | undefined): string {
  switch (slackError) {
    case 'invalid_code':
    case 'code_already_used':
      return 'The link was used already or expired.';
    case 'bad_redirect_uri':
      return "The app's Redirect URL (OAuth &amp; Permissions) must be <code>PUBLIC_URL/slack/oauth_redirect</code>: ask whoever runs Airlock.";
    case 'invalid_client_id':
    case 'bad_client_secret':
      return "Airlock's SLACK_CLIENT_ID or SLACK_CLIENT_SECRET is not this app's: ask whoever runs Airlock.";
    default:
      return '';
  }
}

export function renderRefusedPage(r: Refusal): string {
  return page(r.title, `<p>${r.advice}</p>`);
}
