import type { CallbackSender } from '../../ports/callback-sender.js';

const TIMEOUT_MS = 10_000;

/** Callbacks over fetch; redirects are not followed (a signed body goes only where the agent said). */
export const fetchCallbackSender: CallbackSender = {
  async send(url, body, headers) {
    const res = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.body?.cancel().catch(() => undefined);
    return { status: res.status };
  },
};
