/**
 * The endpoint a chat platform last used for one of its workspaces, as seen
 * in an authenticated inbound request. A platform may move a workspace to
 * another regional endpoint (the Bot Framework's `serviceUrl`); the newest one
 * is where proactive messages must go. Kept in Postgres so it survives
 * restarts and is visible to worker processes, which receive no inbound
 * requests themselves.
 *
 * Left out on purpose: which Airlock tenant a workspace belongs to (that is
 * the policy's), and any validation of the URL (callers store only URLs that
 * the request's credentials vouched for).
 */
export interface ChatEndpointStore {
  /** Records `url` as the workspace's latest; cheap to call for every request (unchanged URLs are not rewritten). */
  seen(platform: string, workspace: string, url: string, at: Date): Promise<void>;
  latest(platform: string, workspace: string): Promise<string | undefined>;
}
