import path from 'node:path';

/**
 * All configuration comes from environment variables (README "Configuration"). Defaults run the whole stack on
 * one machine; production sets DATABASE_URL, TEMPORAL_ADDRESS, SMTP_URL, PUBLIC_BASE_URL and SECRETS_KEY.
 */
export interface Config {
  port: number;
  publicBaseUrl: string;
  /** Null means: run embedded PostgreSQL under dataDir. */
  databaseUrl: string | null;
  dataDir: string;
  embeddedPostgresPort: number;
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    apiKey: string | null;
    tls: boolean;
    /** Where support reads workflow histories; links in the API point here. */
    uiUrl: string;
  };
  temporalDevServer: { port: number; uiPort: number };
  /** The codec endpoint the Temporal UI decodes histories with (bin/stack/codec-server.ts), on 127.0.0.1 only. */
  codecServerPort: number;
  smtpUrl: string;
  mailFrom: string;
  maildev: { smtpPort: number; webPort: number };
  sandboxBankPort: number;
  sandboxKvkPort: number;
  /** The KvK API (R-V3): the sandbox KvK unless KVK_API_URL is set; production needs KVK_API_KEY. */
  kvk: { baseUrl: string; apiKey: string };
  /** Where the bank connectors go when no BANK_<CODE>_URL is set: the sandbox bank. */
  sandboxBankUrl: string;
  /**
   * 32 random bytes (base64) from which every key is derived (domain/secret-keys.ts): bank tokens at rest, cookies,
   * link tokens, serial hashes, the payload codec. `npm start` makes one under DATA_DIR.
   */
  secretsKey: string | null;
  /** The key being retired during a rotation: still read, never written with (README "Rotating SECRETS_KEY"). */
  secretsKeyPrevious: string | null;
  logLevel: string;
  /** How many reverse proxies in front of the API to believe in X-Forwarded-For (README "Configuration"). */
  trustProxyHops: number;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = portVar(env, 'PORT', 3000);
  const uiPort = portVar(env, 'TEMPORAL_UI_PORT', 8233);
  const temporalPort = portVar(env, 'TEMPORAL_PORT', 7233);
  const maildevSmtp = portVar(env, 'MAILDEV_SMTP_PORT', 1025);
  return {
    port,
    publicBaseUrl: urlVar(env, 'PUBLIC_BASE_URL', `http://localhost:${port}`).replace(/\/+$/, ''),
    databaseUrl: env.DATABASE_URL?.trim() || null,
    dataDir: path.resolve(env.DATA_DIR?.trim() || '.data'),
    embeddedPostgresPort: portVar(env, 'EMBEDDED_POSTGRES_PORT', 5433),
    temporal: {
      address: env.TEMPORAL_ADDRESS?.trim() || `127.0.0.1:${temporalPort}`,
      namespace: env.TEMPORAL_NAMESPACE?.trim() || 'default',
      taskQueue: env.TEMPORAL_TASK_QUEUE?.trim() || 'bank-connections',
      apiKey: env.TEMPORAL_API_KEY?.trim() || null,
      tls: env.TEMPORAL_TLS === 'true' || Boolean(env.TEMPORAL_API_KEY),
      uiUrl: urlVar(env, 'TEMPORAL_UI_URL', `http://localhost:${uiPort}`).replace(/\/+$/, ''),
    },
    temporalDevServer: { port: temporalPort, uiPort },
    codecServerPort: portVar(env, 'CODEC_SERVER_PORT', 8234),
    smtpUrl: env.SMTP_URL?.trim() || `smtp://127.0.0.1:${maildevSmtp}`,
    mailFrom: env.MAIL_FROM?.trim() || 'Bankkoppeling <no-reply@bankkoppeling.localhost>',
    maildev: { smtpPort: maildevSmtp, webPort: portVar(env, 'MAILDEV_WEB_PORT', 1080) },
    sandboxBankPort: portVar(env, 'SANDBOX_BANK_PORT', 4010),
    sandboxKvkPort: portVar(env, 'SANDBOX_KVK_PORT', 4020),
    sandboxBankUrl: urlVar(
      env,
      'SANDBOX_BANK_URL',
      `http://127.0.0.1:${portVar(env, 'SANDBOX_BANK_PORT', 4010)}`,
    ).replace(/\/+$/, ''),
    secretsKey: env.SECRETS_KEY?.trim() || null,
    secretsKeyPrevious: env.SECRETS_KEY_PREVIOUS?.trim() || null,
    kvk: {
      baseUrl: urlVar(env, 'KVK_API_URL', `http://127.0.0.1:${portVar(env, 'SANDBOX_KVK_PORT', 4020)}`).replace(
        /\/+$/,
        '',
      ),
      apiKey: env.KVK_API_KEY?.trim() || 'sandbox',
    },
    logLevel: env.LOG_LEVEL?.trim() || 'info',
    trustProxyHops: hopsVar(env, 'TRUST_PROXY'),
  };
}

function hopsVar(env: NodeJS.ProcessEnv, name: string): number {
  const raw = env[name]?.trim();
  if (!raw) return 0;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 10) {
    throw new ConfigError(`${name} must be the number of reverse proxies in front of the API (0 to 10), got "${raw}"`);
  }
  return value;
}

function portVar(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new ConfigError(`${name} must be a port number between 1 and 65535, got "${raw}"`);
  }
  return value;
}

function urlVar(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return raw;
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, got "${raw}"`);
  }
}
