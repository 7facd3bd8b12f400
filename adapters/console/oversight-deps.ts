import type { EvidenceReport } from '../../src/domain/evidence.js';
import type { TenantOverrides } from '../../src/domain/policy-model.js';
import type { ReportInput } from '../../src/usecases/report.js';
import type { AdminReply, ConsoleAdmin } from '../../src/usecases/run-admin-command.js';
import type { ShadowReport } from '../../src/usecases/shadow-report.js';

/** What the dashboard and policy pages call: the same use cases as `airlock report`, the chat admin command and `airlock policy shadow-report`. */
export interface OversightDeps {
  report(input: ReportInput): Promise<EvidenceReport>;
  /** The tenant's runtime overrides, as admins left them. */
  overrides(tenant: string): Promise<TenantOverrides>;
  runAdminCommand(actor: ConsoleAdmin, text: string): Promise<AdminReply>;
  /** Present when POLICY_SHADOW_FILE is set. */
  shadow?: {
    /** The loaded shadow policy's file version; undefined while none loaded. */
    version(): string | undefined;
    report(input: { tenant: string; since: Date; until: Date }): Promise<ShadowReport>;
  };
}
