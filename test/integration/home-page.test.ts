import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import type { ApiServices } from '../../api/services';

/**
 * The root page and the favicon (issue 10 item 9): what runs where, in Dutch and English, with the URLs that come
 * from configuration. Neither touches the database, Temporal or a bank, so the app is built with only what its
 * routers read while being set up.
 */
const services = {
  publicBaseUrl: 'http://localhost:3000',
  temporalUiUrl: 'http://localhost:8233',
  namespace: 'default',
} as unknown as ApiServices;
const log = pino({ level: 'silent' });
const mailInboxUrl = 'http://localhost:1080';
const withInbox = createApp(services, { log, publicBaseUrl: services.publicBaseUrl, mailInboxUrl });
const withoutInbox = createApp(services, { log, publicBaseUrl: services.publicBaseUrl });

test('GET / says what runs where: API docs, OpenAPI, health, wizard, Temporal UI and the dev inbox', async () => {
  const answer = await request(withInbox).get('/').set('accept-language', 'nl-NL,nl;q=0.9');
  expect(answer.status).toBe(200);
  expect(answer.type).toBe('text/html');
  const html = answer.text;
  expect(html).toMatch(/^<!doctype html>\n<html lang="nl">/);
  expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  expect(html).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
  for (const href of [
    '/api/docs',
    '/api/openapi.json',
    '/api/health',
    '/wizard?lang=nl',
    'http://localhost:8233',
    'http://localhost:1080',
    '?lang=en',
  ]) {
    expect([href, html]).toEqual([href, expect.stringContaining(`<a href="${href}"`)]);
  }
  expect(html).toContain('Voor support: de Temporal UI');
  // Nothing loads from elsewhere: every address on the page is ours or one configured.
  const addresses = [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1]);
  expect(addresses.filter((a) => /^[a-z]+:/.test(a!) && !a!.startsWith('http://localhost:'))).toEqual([]);
});

test("GET / has the client pages' security headers", async () => {
  const answer = await request(withInbox).get('/');
  const policy = answer.headers['content-security-policy'];
  expect(policy).toMatch(/^default-src 'none'; style-src 'nonce-[A-Za-z0-9_-]{22}'; /);
  expect(policy).toContain("frame-ancestors 'none'");
  expect(answer.headers['referrer-policy']).toBe('no-referrer');
  expect(answer.headers['cache-control']).toBe('no-store');
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  const nonce = /'nonce-([^']+)'/.exec(policy!)?.[1];
  expect(answer.text).toContain(`<style nonce="${nonce}">`);
});

test('GET / in English on request; without a dev inbox configured, none is named', async () => {
  const english = await request(withInbox).get('/?lang=en').set('accept-language', 'nl');
  expect(english.text).toContain('<html lang="en">');
  expect(english.text).toContain('For staff: the staff API');
  expect(english.text).toContain('<a href="/wizard?lang=en"');
  expect(english.text).toContain('Sent e-mail (development)');
  const production = await request(withoutInbox).get('/?lang=en');
  expect(production.text).not.toContain('Sent e-mail');
  expect(production.text).not.toContain('1080');
});

test('the favicon is our own SVG, at /favicon.svg and where browsers look by themselves', async () => {
  for (const path of ['/favicon.svg', '/favicon.ico']) {
    const answer = await request(withoutInbox).get(path);
    expect([path, answer.status, answer.type]).toEqual([path, 200, 'image/svg+xml']);
    expect(String(answer.body ?? answer.text)).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  }
});
