export { runCli, processIo } from './run-cli.js';
export type { CliIo } from './cli-command.js';
export type { AgentUseCases, ApprovalUseCases, AuditSession, CliServices, McpGatewayOptions, UpstreamTarget } from './cli-services.js';
