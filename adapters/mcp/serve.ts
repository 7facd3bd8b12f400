import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Gateway } from './gateway-server.js';

/** Serves the gateway on stdin/stdout until stdin closes. stdout then belongs to MCP: nothing else may write there. */
export async function serveStdio(gateway: Gateway): Promise<{ closed: Promise<void> }> {
  const server = gateway.createServer();
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
  });
  await server.connect(new StdioServerTransport());
  return { closed };
}

/**
 * Serves the gateway as a streamable HTTP MCP endpoint at `/mcp`, stateless:
 * every POST gets its own server session in front of the shared upstream, and
 * progress notifications go back on that request's event stream. The endpoint
 * has no authentication of its own (whoever reaches it acts with the agent's
 * key), so it listens on loopback by default, and on loopback it refuses
 * requests whose Host is not loopback (DNS rebinding from a web page).
 */
export async function serveHttp(gateway: Gateway, opts: { host: string; port: number }): Promise<{ url: string; close(): Promise<void> }> {
  const httpServer = http.createServer(async (req, res) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/mcp') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'the MCP endpoint is /mcp' }));
      return;
    }
    if (req.method !== 'POST') {
      // Stateless: no server-initiated stream and no session to delete.
      res.writeHead(405, { allow: 'POST', 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null }));
      return;
    }
    const server = gateway.createServer();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      ...(loopback ? { enableDnsRebindingProtection: true, allowedHosts: [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`] } : {}),
    });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res);
    } catch (e) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: (e as Error).message }, id: null }));
    }
  });
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(opts.host);
  let port = opts.port;
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(opts.port, opts.host, () => resolve());
  });
  port = (httpServer.address() as AddressInfo).port;
  return {
    url: `http://${opts.host}:${port}/mcp`,
    close: () =>
      new Promise((resolve) => {
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  };
}
