import http from 'node:http';
import { verifyCallback } from '@airlock/client';

// Airlock POSTs a queued action here once reviewers decide (the action's callback_url).
http
  .createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    try {
      const action = await verifyCallback(body, req.headers['airlock-signature'] as string, process.env.AIRLOCK_CALLBACK_SECRET!);
      console.log(`${action.id} is ${action.status}`, action.reviews?.map((r) => r.reason ?? '') ?? []);
      res.writeHead(204).end();
    } catch (err) {
      console.error((err as Error).message);
      res.writeHead(401).end();
    }
  })
  .listen(4000, '127.0.0.1');
