export interface AgentIdentity {
  id: string;
  tenant: string;
  name: string;
}

/**
 * Agent keys. Only SHA-256 digests of keys are stored; the plain key exists
 * once, in the output of `airlock agent create`. Left out on purpose: key
 * listing and rotation (a new key is a new `agent create` after revoking).
 */
export interface AgentStore {
  create(input: { tenant: string; name: string; keyHash: string; callbackSecret: string }): Promise<AgentIdentity>;
  findByKeyHash(keyHash: string): Promise<AgentIdentity | undefined>;
  callbackSecret(tenant: string, agentName: string): Promise<string | undefined>;
}
