import type { AuditEvent } from '../domain/audit-event.js';

export interface AgentIdentity {
  id: string;
  tenant: string;
  name: string;
  /** The key a request authenticated with: what it records is refused if that key is revoked by then. */
  keyId?: string;
}

/** One key of an agent as listed: never the key, nor its digest. */
export interface AgentKeyView {
  id: string;
  createdAt: Date;
  /** The end of a grace period left by a rotation. */
  expiresAt?: Date;
  revokedAt?: Date;
}

export interface AgentView extends AgentIdentity {
  createdAt: Date;
  keys: AgentKeyView[];
}

/**
 * Agents and their keys. Only SHA-256 digests of keys are stored; a plain key
 * exists once, in the output of `agent create` or `agent rotate`. Every change
 * writes its audit event in the same transaction. Lookups by key may be served
 * from a cache that any key change, in any process, invalidates at once.
 * Left out on purpose: deleting agents or keys (a revoked key stays listed, as
 * the audit trail names it) and changing an agent's callback secret.
 */
export interface AgentStore {
  /** A new agent with its first key; `conflict` when the agent already exists. */
  create(input: NewKey & { callbackSecret: string; audit: (agent: AgentIdentity) => AuditEvent }): Promise<AgentIdentity>;
  /**
   * A new key for an existing agent (`not_found` otherwise). The agent's other
   * usable keys keep working until `previousUntil` (revoked at once when it is
   * not after `at`); they are returned as they are now.
   */
  rotate(
    input: NewKey & { previousUntil: Date; audit: (agent: AgentIdentity, previous: AgentKeyView[]) => AuditEvent },
  ): Promise<{ agent: AgentIdentity; previous: AgentKeyView[] }>;
  /**
   * Revokes the agent's usable keys, or only `keyId`, at `at`. Returns those
   * revoked (none when there were none: no event is written then).
   */
  revoke(input: {
    tenant: string;
    name: string;
    keyId?: string;
    at: Date;
    audit: (agent: AgentIdentity, revoked: AgentKeyView[]) => AuditEvent;
  }): Promise<{ agent: AgentIdentity; revoked: AgentKeyView[] }>;
  list(tenant?: string): Promise<AgentView[]>;
  /** The agent whose key has this digest and is usable at `at`, and when that key stops working, if it does. */
  findByKeyHash(keyHash: string, at: Date): Promise<{ agent: AgentIdentity; expiresAt?: Date } | undefined>;
  callbackSecret(tenant: string, agentName: string): Promise<string | undefined>;
}

interface NewKey {
  tenant: string;
  name: string;
  keyId: string;
  keyHash: string;
  at: Date;
}
