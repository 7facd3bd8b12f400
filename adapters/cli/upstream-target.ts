import type { UpstreamTarget } from './cli-services.js';

/** The MCP server named after `--` (a command) or by --upstream-url, exactly one of them; undefined otherwise. */
export function upstreamTarget(args: string[], url: string | undefined): UpstreamTarget | undefined {
  if (url) return args.length ? undefined : { url };
  const [command, ...rest] = args;
  return command ? { command, args: rest } : undefined;
}
