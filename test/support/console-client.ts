import type { FastifyInstance } from 'fastify';

export interface Page {
  status: number;
  /** Where a redirect goes (absolute for the IdP, a path for Airlock). */
  location?: string;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * A browser without a screen for the console tests: one cookie jar per host,
 * Airlock reached through `app.inject` (the real routes, hooks and plugins),
 * the identity provider over real HTTP. It follows redirects between the two
 * the way a browser does, so a sign-in walks the real code flow.
 */
export class ConsoleClient {
  private readonly jars = new Map<string, Map<string, string>>();
  /** Every Set-Cookie line Airlock sent, in order (for checking the cookie's attributes). */
  readonly setCookies: string[] = [];

  constructor(
    private readonly app: FastifyInstance,
    /** PUBLIC_URL: a redirect there goes back to `app`. */
    private readonly publicUrl: string,
  ) {}

  /** The Airlock cookie jar (tests forge and inspect it). */
  get cookies(): Map<string, string> {
    return this.jar(new URL(this.publicUrl).host);
  }

  async get(path: string, opts: { follow?: boolean } = {}): Promise<Page> {
    return this.request('GET', new URL(path, this.publicUrl).toString(), undefined, opts.follow ?? false);
  }

  async post(path: string, form: Record<string, string>, opts: { follow?: boolean } = {}): Promise<Page> {
    return this.request('POST', new URL(path, this.publicUrl).toString(), new URLSearchParams(form).toString(), opts.follow ?? false);
  }

  /** The CSRF token of the first form on a page. */
  static csrfOf(page: Page): string {
    const m = /name="_csrf" value="([^"]+)"/.exec(page.body);
    if (!m) throw new Error(`no CSRF token on the page:\n${page.body.slice(0, 500)}`);
    return m[1]!;
  }

  private async request(method: string, url: string, body: string | undefined, follow: boolean): Promise<Page> {
    let page = await this.once(method, url, body);
    let current = url;
    for (let hops = 0; follow && page.location && hops < 20; hops++) {
      current = new URL(page.location, current).toString();
      page = await this.once('GET', current, undefined);
    }
    return page;
  }

  private async once(method: string, url: string, body: string | undefined): Promise<Page> {
    const target = new URL(url);
    const jar = this.jar(target.host);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const headers: Record<string, string> = { ...(cookie ? { cookie } : {}), ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) };
    if (target.origin === new URL(this.publicUrl).origin) {
      const res = await this.app.inject({ method: method as 'GET', url: target.pathname + target.search, headers, ...(body !== undefined ? { payload: body } : {}) });
      const set = res.headers['set-cookie'];
      this.setCookies.push(...(typeof set === 'string' ? [set] : (set ?? [])));
      this.store(jar, set);
      const location = res.headers.location as string | undefined;
      return { status: res.statusCode, body: res.body, headers: res.headers as Page['headers'], ...(location ? { location } : {}) };
    }
    const res = await fetch(url, { method, headers, redirect: 'manual', ...(body !== undefined ? { body } : {}) });
    this.store(jar, res.headers.getSetCookie());
    const location = res.headers.get('location') ?? undefined;
    return { status: res.status, body: await res.text(), headers: Object.fromEntries(res.headers), ...(location ? { location } : {}) };
  }

  private jar(host: string): Map<string, string> {
    let jar = this.jars.get(host);
    if (!jar) this.jars.set(host, (jar = new Map()));
    return jar;
  }

  private store(jar: Map<string, string>, setCookie: string | string[] | undefined) {
    for (const line of typeof setCookie === 'string' ? [setCookie] : (setCookie ?? [])) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (gone) jar.delete(name);
      else jar.set(name, value);
    }
  }
}
