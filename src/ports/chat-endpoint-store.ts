/**
 * The Bot Framework connector URL (`serviceUrl`) last seen in an
 * authenticated activity from each Teams (AAD) tenant. Teams may move a tenant
 * to another regional connector; the newest URL it used is where proactive
 * cards must go. Kept in Postgres so it survives restarts and is visible to
 * worker processes, which receive no activities themselves.
 *
 * Left out on purpose: which Airlock tenant an AAD tenant belongs to (that is
 * the policy's), and any validation of the URL (callers store only URLs from
 * activities whose token's `serviceurl` claim matched).
 */
export interface ServiceUrlStore {
  /** Records `serviceUrl` as the tenant's latest; cheap to call for every activity (unchanged URLs are not rewritten). */
  seen(aadTenantId: string, serviceUrl: string, at: Date): Promise<void>;
  latest(aadTenantId: string): Promise<string | undefined>;
}
