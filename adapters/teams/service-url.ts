/**
 * Whether a Bot Framework connector URL may receive the bot's token: https
 * only, whoever named it (an inbound activity's `serviceUrl`, the newest one
 * recorded, the policy's `service_url`). Every connector call carries the
 * bot's access token; over plain http anyone on the path could take it.
 */
export function isTrustedServiceUrl(url: unknown): url is string {
  if (typeof url !== 'string') return false;
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}
