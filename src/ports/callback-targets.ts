/**
 * Which callback URLs Airlock may POST to. A callback must not become a way
 * to reach this machine or the networks behind it, so loopback, private,
 * link-local and unique-local targets are refused unless the deployment
 * allows them (AIRLOCK_CALLBACK_ALLOW).
 *
 * Left out on purpose: resolving host names. `refusal` judges the URL as
 * written (credentials, `localhost` names, literal addresses in any spelling);
 * a name is resolved when the callback is sent, and the address it resolves
 * to then is the one checked and connected to, since a name may resolve
 * differently by then.
 */
export interface CallbackTargets {
  /** Why a callback to `url` would be refused, or undefined. Never repeats the URL: it may carry credentials. */
  refusal(url: string): string | undefined;
}
