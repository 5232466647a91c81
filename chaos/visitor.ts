/**
 * A client's browser over plain HTTP: keeps its cookies (the CSRF secret, the wizard session, the consent's browser
 * binding), follows no redirect unless asked, and comes from an address of its own (X-Forwarded-For; the API runs
 * with TRUST_PROXY=1 as behind the production proxy), so the client pages' per-address limits hold per client.
 */
export class Visitor {
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly baseUrl: string,
    private readonly address: string,
  ) {}

  get(target: string): Promise<Response> {
    return this.send(target, { method: 'GET' });
  }

  post(target: string, fields: Record<string, string | string[]>): Promise<Response> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(name, v);
    return this.send(target, { method: 'POST', body });
  }

  /** GET, then every redirect as a browser would; answers the last response and its URL. */
  async follow(target: string): Promise<{ response: Response; url: URL }> {
    let url = new URL(target, this.baseUrl);
    for (let hops = 0; hops < 8; hops += 1) {
      const response = await this.get(url.toString());
      const location = response.headers.get('location');
      if (!location || response.status < 300 || response.status >= 400) return { response, url };
      await response.body?.cancel();
      url = new URL(location, url);
    }
    throw new Error(`more than 8 redirects from ${target}`);
  }

  private async send(target: string, init: RequestInit): Promise<Response> {
    const url = new URL(target, this.baseUrl);
    const ours = url.origin === new URL(this.baseUrl).origin;
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: ours
        ? { cookie: [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; '), 'x-forwarded-for': this.address }
        : {},
      signal: AbortSignal.timeout(60_000),
    });
    if (ours) this.keep(response);
    return response;
  }

  private keep(response: Response): void {
    for (const cookie of response.headers.getSetCookie()) {
      const pair = cookie.split(';')[0]!;
      const eq = pair.indexOf('=');
      const [name, value] = [pair.slice(0, eq), pair.slice(eq + 1)];
      if (/;\s*expires=Thu, 01 Jan 1970/i.test(cookie) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** A hidden field's value as the browser submits it: the page's HTML escapes decoded. */
export function hiddenField(html: string, name: string): string {
  const value = new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1];
  if (!value) throw new Error(`no ${name} field in the page: ${html.slice(0, 300)}`);
  return value
    .replace(/&#x3D;/g, '=')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}
