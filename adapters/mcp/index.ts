export { callThroughAirlock, policyToolName, type GatewayOptions } from './call-through-airlock.js';
export { createGateway, type Gateway } from './gateway-server.js';
export { policySnippet } from './policy-snippet.js';
export { serveHttp, serveStdio } from './serve.js';
export { connectUpstream, type Upstream, type UpstreamTarget } from './upstream.js';
