import type { Response } from 'express';
import Handlebars from 'handlebars';

/**
 * The bank's own pages (login, account choice, errors), server-rendered so they work without JavaScript and
 * load nothing from elsewhere. Templates live here as strings so `tsc` carries them into `dist/` unchanged.
 * Dutch first, English beneath, like the client pages of the platform.
 */

const hbs = Handlebars.create();

const LAYOUT = hbs.compile(`<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{title}} · {{bankName}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
header{background:#1d2330;color:#fff;padding:.8rem 1.2rem;font-weight:600}
header small{font-weight:400;opacity:.75;margin-left:.5rem}
main{max-width:34rem;margin:1.5rem auto;background:#fff;padding:1.5rem;border-radius:8px;box-shadow:0 1px 3px #0002}
h1{font-size:1.35rem;margin-top:0}
.en{display:block;color:#5b6272;font-size:.85em;font-weight:400}
label{display:block;margin:.8rem 0}
input[type=text],input[type=password]{display:block;width:100%;box-sizing:border-box;padding:.5rem;margin-top:.25rem;font-size:1rem}
fieldset{border:1px solid #ccd;border-radius:6px;margin:1rem 0}
.account{display:flex;gap:.6rem;align-items:flex-start}
.account input{margin-top:.3rem}
.iban{font-family:ui-monospace,monospace}
.buttons{display:flex;gap:.6rem;margin-top:1.2rem}
button{padding:.55rem 1rem;font-size:1rem;border-radius:6px;border:1px solid #1d2330;background:#1d2330;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#1d2330}
.error{background:#fde8e8;border:1px solid #e3a0a0;padding:.6rem;border-radius:6px}
.note{color:#5b6272;font-size:.85rem;margin-top:1.5rem}
dl{display:grid;grid-template-columns:auto 1fr;gap:.2rem 1rem}
dt{color:#5b6272}
</style>
</head>
<body>
<header>{{bankName}}<small>sandbox · niet echt · not a real bank</small></header>
<main>
{{{body}}}
</main>
</body>
</html>
`);

const LOGIN = hbs.compile(`<h1>Inloggen<span class="en">Log in</span></h1>
<p><strong>{{clientId}}</strong> vraagt toegang tot uw rekeninginformatie.
<span class="en">{{clientId}} asks for access to your account information.</span></p>
<dl>
<dt>Doorlopend<span class="en">Recurring</span></dt><dd>{{#if recurring}}ja · yes{{else}}nee · no{{/if}}</dd>
<dt>Geldig tot<span class="en">Valid until</span></dt><dd>{{validUntil}}</dd>
<dt>Keer per dag<span class="en">Times a day</span></dt><dd>{{frequencyPerDay}}</dd>
</dl>
{{#if error}}<p class="error" role="alert">{{error}}</p>{{/if}}
<form method="post" action="login">
<input type="hidden" name="flow" value="{{flow}}">
<label>Gebruikersnaam<span class="en">Username</span><input type="text" name="username" value="{{username}}" autocomplete="username" autofocus></label>
<label>Wachtwoord<span class="en">Password</span><input type="password" name="password" autocomplete="current-password"></label>
<div class="buttons">
<button type="submit" name="action" value="login">Inloggen · Log in</button>
<button type="submit" name="action" value="cancel" class="secondary">Annuleren · Cancel</button>
</div>
</form>
<p class="note">Sandbox: gebruik een testgebruiker, wachtwoord <code>sandbox</code>.
<span class="en">Sandbox: use a test user, password <code>sandbox</code>.</span></p>
`);

const SELECT = hbs.compile(`<h1>Rekeningen kiezen<span class="en">Choose accounts</span></h1>
<p>{{displayName}} ({{role}}) · {{companyName}}</p>
{{#if error}}<p class="error" role="alert">{{error}}</p>{{/if}}
<form method="post" action="sign">
<input type="hidden" name="flow" value="{{flow}}">
<fieldset>
<legend>Welke rekeningen mag {{clientId}} inzien?<span class="en">Which accounts may {{clientId}} read?</span></legend>
{{#each accounts}}
<label class="account"><input type="checkbox" name="accounts" value="{{iban}}"{{#if checked}} checked{{/if}}>
<span>{{name}}<span class="en"><span class="iban">{{display}}</span> · {{kind}} · {{currency}}</span></span></label>
{{else}}
<p>Er zijn geen rekeningen die u kunt koppelen.<span class="en">There are no accounts you can link.</span></p>
{{/each}}
</fieldset>
<p>Met ondertekenen geeft u toestemming tot {{validUntil}}.
<span class="en">Signing gives consent until {{validUntil}}.</span></p>
<div class="buttons">
<button type="submit" name="action" value="sign">Ondertekenen · Sign</button>
<button type="submit" name="action" value="cancel" class="secondary">Annuleren · Cancel</button>
</div>
</form>
`);

const ERROR = hbs.compile(`<h1>{{title}}<span class="en">{{titleEn}}</span></h1>
<p class="error" role="alert">{{message}}</p>
<p>U kunt dit venster sluiten en opnieuw beginnen vanuit uw boekhoudpakket.
<span class="en">You can close this window and start again from your accounting software.</span></p>
`);

const INDEX = hbs.compile(`<h1>Sandbox-banken<span class="en">Sandbox banks</span></h1>
<p>Berlin Group NextGenPSD2 AIS with OAuth2 (authorization code + PKCE S256). Not a real bank.</p>
<ul>
{{#each banks}}<li><strong>{{code}}</strong> {{name}}: <a href="{{base}}/.well-known/oauth-authorization-server">{{base}}</a></li>
{{/each}}
</ul>
<h2>Testgebruikers<span class="en">Test users (password <code>sandbox</code>)</span></h2>
<dl>
{{#each users}}<dt>{{bank}} · <code>{{username}}</code></dt><dd>{{role}}{{#if mayConsent}} · mag koppelen / may consent{{else}} · mag niet koppelen / may not consent{{/if}}</dd>
{{/each}}
</dl>
<p class="note">Admin API: <a href="admin">admin</a> (development only).</p>
`);

export interface IndexPage {
  banks: ReadonlyArray<{ code: string; name: string; base: string }>;
  users: ReadonlyArray<{ bank: string; username: string; role: string; mayConsent: boolean }>;
}

export function renderIndex(page: IndexPage): string {
  return LAYOUT({ title: 'Sandbox', bankName: 'Bankkoppeling sandbox', body: INDEX(page) });
}

export interface LoginPage {
  bankName: string;
  clientId: string;
  recurring: boolean;
  validUntil: string;
  frequencyPerDay: number;
  flow: string;
  username?: string;
  error?: string;
}

export interface SelectPage {
  bankName: string;
  clientId: string;
  displayName: string;
  role: string;
  companyName: string;
  validUntil: string;
  flow: string;
  accounts: ReadonlyArray<{
    iban: string;
    display: string;
    name: string;
    kind: string;
    currency: string;
    checked: boolean;
  }>;
  error?: string;
}

export interface ErrorPage {
  bankName: string;
  title: string;
  titleEn: string;
  message: string;
}

export function renderLogin(page: LoginPage): string {
  return LAYOUT({ title: 'Inloggen', bankName: page.bankName, body: LOGIN(page) });
}

export function renderSelect(page: SelectPage): string {
  return LAYOUT({ title: 'Rekeningen kiezen', bankName: page.bankName, body: SELECT(page) });
}

export function renderError(page: ErrorPage): string {
  return LAYOUT({ title: page.title, bankName: page.bankName, body: ERROR(page) });
}

/** A problem to show on the bank's own page: used before a redirect URI is trusted, so never redirected. */
export class PageError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly titleEn: string,
    message: string,
  ) {
    super(message);
  }
}

/** Bank pages are never cached, framed, or told where the PSU came from, and load nothing but inline CSS. */
export function setPageHeaders(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  );
}

export function formatIbanForDisplay(iban: string): string {
  return iban.replace(/(.{4})(?=.)/g, '$1 ');
}
