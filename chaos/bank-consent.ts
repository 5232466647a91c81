import { SANDBOX_PASSWORD } from '../sandbox/bank';
import { hiddenField } from './visitor';

/**
 * The client at the sandbox bank's consent pages, as a browser: the login page, log in, tick the accounts, sign.
 * Answers where the bank sends the browser back to (the product's callback with code and state).
 */
export async function consentAtBank(authorize: URL, username: string, ibans: readonly string[]): Promise<URL> {
  const loginPage = await bankPage(authorize, 'GET');
  const loginUrl = new URL('login', authorize);
  const afterLogin = await bankPage(loginUrl, 'POST', {
    flow: hiddenField(await loginPage.text(), 'flow'),
    username,
    password: SANDBOX_PASSWORD,
    action: 'login',
  });
  if (afterLogin.status === 303) return backTo(afterLogin, authorize);
  const signed = await bankPage(new URL('sign', loginUrl), 'POST', {
    flow: hiddenField(await afterLogin.text(), 'flow'),
    action: 'sign',
    accounts: [...ibans],
  });
  if (signed.status !== 303) throw new Error(`the bank answered the signature with ${signed.status}`);
  return backTo(signed, authorize);
}

async function bankPage(url: URL, method: 'GET' | 'POST', fields?: Record<string, string | string[]>) {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields ?? {})) for (const v of [value].flat()) body.append(name, v);
  const response = await fetch(url, {
    method,
    body: method === 'POST' ? body : undefined,
    redirect: 'manual',
    signal: AbortSignal.timeout(60_000),
  });
  if (response.status >= 400) throw new Error(`the bank's page ${url.pathname} answered ${response.status}`);
  return response;
}

function backTo(response: Response, from: URL): URL {
  return new URL(response.headers.get('location') ?? '', from);
}
