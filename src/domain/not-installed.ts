import { AirlockError } from './errors.js';

/**
 * A chat platform cannot reach a tenant's workspace: the app is not
 * installed there (never, or uninstalled, or its token revoked). Nothing a
 * retry can fix until someone installs it, so the card is held (recorded, not
 * posted) and the action runs to its deadline as usual; the message says
 * where to install.
 */
export class NotInstalled extends AirlockError {
  constructor(
    readonly workspace: string,
    message: string,
  ) {
    super('delivery_failed', message, { retry: false, context: { workspace } });
    this.name = 'NotInstalled';
  }
}
