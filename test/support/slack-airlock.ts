import { FakeSlackApi } from '../fakes/fake-slack-api.js';
import { startAirlock, type StartOptions, type TestAirlock } from './airlock.js';
import { SIGNING_SECRET } from './slack-requests.js';

export interface SlackTestAirlock extends TestAirlock {
  slack: FakeSlackApi;
  auth: string;
  submit(tool: string, body?: Record<string, unknown>, auth?: string): Promise<{ id: string; status: string; [k: string]: unknown }>;
  get(id: string, auth?: string): Promise<Record<string, any>>;
}

/** Airlock with the real Bolt app, its Web API pointed at a local fake Slack. */
export async function startSlackAirlock(opts: StartOptions & { slack?: FakeSlackApi; auth?: string } = {}): Promise<SlackTestAirlock> {
  const slack = opts.slack ?? (await FakeSlackApi.start({ emails: { U0LEAD1: 'lead1@acme.test', U0SAM: 'sam@acme.test' }, usergroups: { S0ONCALL: ['U0ONCALL1'] } }));
  const airlock = await startAirlock({
    policyFile: 'test/fixtures/approval-policy.yml',
    ...opts,
    env: { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.url, ...opts.env },
  });
  // A second instance on the same database reuses the first one's key.
  const auth = opts.auth ?? (await airlock.agentAuth('acme', 'bot'));
  const submit = async (tool: string, body: Record<string, unknown> = {}, as = auth) => {
    const res = await airlock.app.inject({
      method: 'POST',
      url: '/v1/actions',
      headers: { authorization: as },
      payload: { tool, args: {}, requester: { id: 'U0SAM', email: 'sam@acme.test' }, summary: `please run ${tool}`, ...body },
    });
    if (res.statusCode !== 201) throw new Error(`submit failed: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const get = async (id: string, as = auth) => (await airlock.app.inject({ method: 'GET', url: `/v1/actions/${id}`, headers: { authorization: as } })).json();
  return {
    ...airlock,
    slack,
    auth,
    submit,
    get,
    close: async () => {
      await airlock.close();
      if (!opts.slack) await slack.close();
    },
  };
}
