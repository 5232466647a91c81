/**
 * A browser without a browser, for the client pages over plain HTTP: keeps cookies, sends the headers it was made
 * with (a Dutch browser's Accept-Language, say), and never follows a redirect unless asked to.
 */
export class Visitor {
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  /** A path, or an absolute URL of this app (the bank's redirect back, say). */
  async get(target: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.keep(
      await fetch(this.url(target), {
        headers: { ...this.headers, ...headers, cookie: this.cookieHeader() },
        redirect: 'manual',
      }),
    );
  }

  async post(target: string, fields: Record<string, string | string[]>): Promise<Response> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(name, v);
    return this.keep(
      await fetch(this.url(target), {
        method: 'POST',
        body,
        headers: { ...this.headers, cookie: this.cookieHeader() },
        redirect: 'manual',
      }),
    );
  }

  /** GET, then every redirect within this app, as a browser would; answers the last response and its path. */
  async follow(target: string): Promise<{ response: Response; path: string }> {
    let url = new URL(this.url(target));
    for (let hops = 0; hops < 5; hops += 1) {
      const response = await this.get(url.toString());
      const location = response.headers.get('location');
      if (!location || response.status < 300 || response.status >= 400)
        return { response, path: `${url.pathname}${url.search}` };
      url = new URL(location, url);
    }
    throw new Error(`more than 5 redirects from ${target}`);
  }

  /** The page's CSRF field, read from the form as a browser would submit it. */
  async csrf(target: string): Promise<string> {
    const html = await (await this.get(target)).text();
    const match = /name="csrf" value="([^"]+)"/.exec(html);
    if (!match?.[1]) throw new Error(`no CSRF field on ${target}`);
    return match[1];
  }

  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  private url(target: string): string {
    return /^https?:/.test(target) ? target : `${this.baseUrl}${target}`;
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private keep(response: Response): Response {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const eq = pair!.indexOf('=');
      const [name, value] = [pair!.slice(0, eq), pair!.slice(eq + 1)];
      // An expired cookie is the server's way of deleting it.
      if (/;\s*expires=Thu, 01 Jan 1970/i.test(cookie) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }
}
