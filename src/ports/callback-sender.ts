/** Delivers a signed callback. Throws on a non-2xx answer or a network error. Left out: retries (the queue retries). */
export interface CallbackSender {
  send(url: string, body: string, headers: Record<string, string>): Promise<{ status: number }>;
}
