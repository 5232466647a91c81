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

  async post(target: string, fields: FormFields): Promise<Response> {
    return this.keep(
      await fetch(this.url(target), {
        method: 'POST',
        body: formBody(fields),
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
    return hiddenField(await (await this.get(target)).text(), 'csrf');
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

/** A form's fields as a browser sends them: a field with several values (ticked boxes) once per value. */
export type FormFields = Record<string, string | string[]>;

function formBody(fields: FormFields): URLSearchParams {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(name, v);
  return body;
}

/** A form post without a Visitor: no cookie unless given, no redirect followed. */
export function postForm(url: string | URL, fields: FormFields, cookie?: string): Promise<Response> {
  return fetch(url, { method: 'POST', body: formBody(fields), redirect: 'manual', headers: cookie ? { cookie } : {} });
}

/** A hidden field's value as the browser submits it: the page's HTML escapes decoded. */
export function hiddenField(html: string, name: string): string {
  const value = new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1];
  if (!value) throw new Error(`no ${name} field in page: ${html.slice(0, 500)}`);
  return value
    .replace(/&#x3D;/g, '=')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** The CSRF cookie a page sets, as a `cookie` header for the form post that goes with it. */
export function csrfCookie(page: Response): string {
  return setCookie(page, 'bk_csrf');
}

/** A cookie the response sets, as `name=value` for a `cookie` header. */
export function setCookie(response: Response, name: string): string {
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  if (!cookie) throw new Error(`no ${name} cookie set`);
  return cookie.split(';')[0]!;
}
