/**
 * The dependency rule of STYLE.md, checked by `npm run lint`:
 * domain imports nothing of ours; usecases import domain and ports; adapters
 * never import infra nor each other; nothing imports main; vendor SDKs stay in
 * their folder.
 */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'domain-is-pure',
      comment: 'domain/ imports nothing of ours outside domain/ and no I/O packages',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: ['^src/domain/', '^node:crypto$', 'crypto'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'usecases-only-domain-and-ports',
      severity: 'error',
      from: { path: '^src/usecases/' },
      to: { path: '^(src/(infra|http|main|policy|config)|adapters)/' },
    },
    {
      name: 'ports-only-domain',
      severity: 'error',
      from: { path: '^src/ports/' },
      to: { path: '^(src/(infra|http|main|usecases|policy|config)|adapters)/' },
    },
    { name: 'nothing-imports-main', severity: 'error', from: { pathNot: '^src/main/' }, to: { path: '^src/main/' } },
    { name: 'adapters-not-infra', severity: 'error', from: { path: '^adapters/' }, to: { path: '^src/(infra|http|main)/' } },
    { name: 'slack-not-teams', severity: 'error', from: { path: '^adapters/slack/' }, to: { path: '^adapters/teams/' } },
    { name: 'teams-not-slack', severity: 'error', from: { path: '^adapters/teams/' }, to: { path: '^adapters/slack/' } },
    { name: 'core-knows-no-adapter', severity: 'error', from: { path: '^src/(domain|usecases|ports|infra|http|policy|config)/' }, to: { path: '^adapters/' } },
    { name: 'slack-sdk-in-adapter', severity: 'error', from: { pathNot: '^(adapters/slack/|test/)' }, to: { path: 'node_modules/@slack/' } },
    { name: 'botbuilder-in-adapter', severity: 'error', from: { pathNot: '^(adapters/teams/|test/)' }, to: { path: 'node_modules/(botbuilder|botframework|@azure/msal)' } },
    { name: 'pg-in-infra', severity: 'error', from: { path: '^src/', pathNot: '^src/(infra/postgres|main)/' }, to: { path: 'node_modules/(pg|pg-pool)/' } },
    { name: 'mcp-sdk-in-adapter', severity: 'error', from: { pathNot: '^(adapters/mcp/|test/)' }, to: { path: 'node_modules/@modelcontextprotocol/' } },
    { name: 'mcp-not-chat', severity: 'error', from: { path: '^adapters/mcp/' }, to: { path: '^adapters/(slack|teams)/' } },
    {
      name: 'cli-calls-use-cases',
      comment: 'the CLI parses argv, calls what src/main wires into CliServices, and formats: no store, policy loader, env, other adapter or client of its own',
      severity: 'error',
      from: { path: '^adapters/cli/' },
      to: { path: '^(src/(infra|http|main|policy|config)/|adapters/(?!cli/)|clients/)' },
    },
    {
      name: 'console-calls-use-cases',
      comment: 'the web console renders and calls what src/main wires into it: no store, env, HTTP core or other adapter',
      severity: 'error',
      from: { path: '^adapters/console/' },
      to: { path: '^(src/(infra|http|main|config|policy)/|adapters/(?!console/))' },
    },
    {
      name: 'console-packages-in-console',
      comment: 'OpenID Connect and the cookie, CSRF and header plugins belong to the web console alone',
      severity: 'error',
      from: { pathNot: '^(adapters/console/|test/)' },
      to: { path: 'node_modules/(openid-client|@fastify/(helmet|cookie|csrf-protection|secure-session))/' },
    },
    { name: 'no-adapter-imports-cli', severity: 'error', from: { path: '^adapters/(?!cli/)' }, to: { path: '^adapters/cli/' } },
    {
      name: 'mcp-gateway-speaks-http',
      comment: 'the gateway is an agent of Airlock: it goes through the TypeScript client, never the core',
      severity: 'error',
      from: { path: '^adapters/mcp/' },
      to: { path: '^src/' },
    },
    {
      name: 'client-stands-alone',
      comment: 'the TypeScript client is its own package: only its own files, no npm package, no Node built-in (edge runtimes have fetch and Web Crypto only)',
      severity: 'error',
      from: { path: '^clients/typescript/src/' },
      to: { pathNot: '^clients/typescript/src/' },
    },
    { name: 'prom-client-in-http', comment: 'use cases report through ports/approval-metrics.ts; only src/http knows Prometheus', severity: 'error', from: { path: '^(src|adapters)/', pathNot: '^src/http/' }, to: { path: 'node_modules/prom-client/' } },
    {
      name: 'otel-behind-the-tracer-port',
      comment: 'the core traces through src/ports/tracer.ts: the OpenTelemetry API only in its implementation (infra/telemetry), the SDK only where main wires it',
      severity: 'error',
      from: { path: '^(src|adapters)/', pathNot: '^src/(infra/telemetry|main)/' },
      to: { path: 'node_modules/@opentelemetry/' },
    },
    { name: 'otel-sdk-in-main', severity: 'error', from: { path: '^src/infra/telemetry/' }, to: { path: 'node_modules/@opentelemetry/(?!api/)' } },
    { name: 'bullmq-in-infra', severity: 'error', from: { path: '^(src|adapters)/', pathNot: '^src/(infra/queue|infra/redis|main)/' }, to: { path: 'node_modules/(bullmq|ioredis)/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
