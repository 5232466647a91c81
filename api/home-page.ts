import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import Handlebars from 'handlebars';
import type { Language } from '../templates/render';
import { pageLanguage } from './client/pages';
import { FAVICON_PATH, FAVICON_SVG } from './favicon';

/** Where the parts that do not run in this process are, as configured; each is left out when unknown. */
export interface HomePageLinks {
  temporalUiUrl?: string;
  mailInboxUrl?: string;
}

const TEXT: Record<Language, Record<string, string>> = {
  nl: {
    title: 'Bankkoppeling',
    intro:
      'Bankkoppeling koppelt de bankrekeningen van klanten van administratiekantoren rechtstreeks aan de ' +
      'administratie. Dit draait hier:',
    staff: 'Voor medewerkers: de staff-API',
    docs: 'documentatie',
    health: 'status',
    staffNote: 'Met een API-sleutel in de header Authorization: Bearer <sleutel>.',
    clients: 'Voor klanten',
    wizard: 'de wizard, met serienummer en KvK-nummer',
    connectNote: 'Activatielinks (/connect/…) komen per e-mail en werken maar één keer.',
    support: 'Voor support: de Temporal UI',
    supportNote: 'Elke onboarding en elke ophaalronde, te zoeken op KvK-nummer, bank of status.',
    inbox: 'Verzonden e-mail (ontwikkeling)',
    inboxNote: 'Alle e-mail die de applicatie hier verstuurt.',
    other: 'English',
  },
  en: {
    title: 'Bankkoppeling',
    intro:
      "Bankkoppeling links the bank accounts of accounting offices' clients directly to the bookkeeping. " +
      'This is what runs here:',
    staff: 'For staff: the staff API',
    docs: 'documentation',
    health: 'status',
    staffNote: 'With an API key in the header Authorization: Bearer <key>.',
    clients: 'For clients',
    wizard: 'the wizard, with serial number and KvK number',
    connectNote: 'Activation links (/connect/…) come by e-mail and work only once.',
    support: 'For support: the Temporal UI',
    supportNote: 'Every onboarding and every fetch, found by KvK number, bank or status.',
    inbox: 'Sent e-mail (development)',
    inboxNote: 'All e-mail the application sends here.',
    other: 'Nederlands',
  },
};

const page = Handlebars.compile(
  `<!doctype html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{t.title}}</title>
<link rel="icon" href="{{favicon}}" type="image/svg+xml">
<style nonce="{{nonce}}">
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;background:#f3f5f8;color:#1d2433;
  line-height:1.5}
header{display:flex;justify-content:space-between;align-items:center;background:#14325c;color:#fff;
  padding:.75rem 1.25rem}
header a{color:#fff}
main{max-width:40rem;margin:1.5rem auto;background:#fff;padding:1.5rem;border-radius:8px;
  box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.4rem;margin-top:0}
h2{font-size:1.05rem;margin:1.25rem 0 .25rem}
a{color:#14325c}
p{margin:.25rem 0}
.small{color:#5b6272;font-size:.9rem}
code{overflow-wrap:anywhere}
</style>
</head>
<body>
<header><strong>Bankkoppeling</strong><a href="?lang={{otherLang}}" lang="{{otherLang}}" hreflang="{{otherLang}}">
{{~t.other}}</a></header>
<main>
<h1>{{t.title}}</h1>
<p>{{t.intro}}</p>
<h2>{{t.staff}}</h2>
<p><a href="/api/docs">/api/docs</a> ({{t.docs}}) · <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI) ·
<a href="/api/health">/api/health</a> ({{t.health}})</p>
<p class="small">{{t.staffNote}}</p>
<h2>{{t.clients}}</h2>
<p><a href="/wizard?lang={{lang}}">/wizard</a>: {{t.wizard}}</p>
<p class="small">{{t.connectNote}}</p>
{{#if temporalUiUrl}}
<h2>{{t.support}}</h2>
<p><a href="{{temporalUiUrl}}"><code>{{temporalUiUrl}}</code></a></p>
<p class="small">{{t.supportNote}}</p>
{{/if}}
{{#if mailInboxUrl}}
<h2>{{t.inbox}}</h2>
<p><a href="{{mailInboxUrl}}"><code>{{mailInboxUrl}}</code></a></p>
<p class="small">{{t.inboxNote}}</p>
{{/if}}
</main>
</body>
</html>
`,
  { strict: true },
);

/**
 * The root page says what runs where, for whoever opens the bare address first; the favicon beside it. Headers
 * as on the client pages: nothing but the page's own style may load, no cache, no Referer.
 */
export function createHomeRouter(links: HomePageLinks): Router {
  const router = Router();
  router.get('/', (req, res) => {
    const lang = pageLanguage(req);
    const nonce = randomBytes(16).toString('base64url');
    res.setHeader(
      'Content-Security-Policy',
      `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'; ` +
        "form-action 'none'",
    );
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.type('html').send(
      page({
        lang,
        otherLang: lang === 'nl' ? 'en' : 'nl',
        t: TEXT[lang],
        nonce,
        favicon: FAVICON_PATH,
        temporalUiUrl: links.temporalUiUrl ?? '',
        mailInboxUrl: links.mailInboxUrl ?? '',
      }),
    );
  });
  router.get([FAVICON_PATH, '/favicon.ico'], (_req, res) => {
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.type('image/svg+xml').send(FAVICON_SVG);
  });
  return router;
}
