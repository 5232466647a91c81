import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

/** No Docker engine runs here, so the deployment files are checked for the promises users rely on. */

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  ports?: string[];
  container_name?: string;
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string | string[] };
}

const root = path.join(__dirname, '..', '..');
// `merge: true`: the app services share one definition through a YAML merge key, as Docker Compose reads it.
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  configs?: Record<string, { content?: string }>;
};
const services = compose.services;

/** The postgres service's first-start script that makes the roles (compose `configs`, `$$` read as `$`). */
function rolesScript(): string {
  return (compose.configs?.['postgres-roles']?.content ?? '').replace(/\$\$/g, '$');
}
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

const APP_SERVICES = ['migrate', 'api', 'worker'];
const ATTRIBUTES = [
  'OnboardingStatus',
  'KvkNumber',
  'BankCode',
  'OrganizationId',
  'EnvironmentId',
  'ConnectionId',
  'OnboardingFlavour',
];

function service(name: string): Service {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

function words(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(' ') : (value ?? '');
}

/** The tag of an image reference, or null when it has none (a port in the registry host is not a tag). */
function tagOf(image: string): string | null {
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? image.slice(colon + 1) : null;
}

describe('docker-compose.yml', () => {
  it('has the whole production-like stack', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['api', 'maildev', 'migrate', 'postgres', 'temporal', 'temporal-admin-tools', 'temporal-ui', 'worker'].sort(),
    );
  });

  it('publishes the contract ports; Temporal, its UI and maildev only on this host (they have no login)', () => {
    expect(service('api').ports).toEqual(['3000:3000']);
    expect(service('temporal').ports).toEqual(['127.0.0.1:7233:7233']);
    expect(service('temporal-ui').ports).toEqual(['127.0.0.1:8233:8080']);
    expect(service('maildev').ports).toEqual(['127.0.0.1:1025:1025', '127.0.0.1:1080:1080']);
  });

  it('turns the Temporal UI write actions off: whoever reads histories cannot cancel, signal or reset', () => {
    expect(service('temporal-ui').environment!.TEMPORAL_DISABLE_WRITE_ACTIONS).toBe('true');
  });

  it('pins every image to an explicit tag that is not latest', () => {
    for (const [name, definition] of Object.entries(services)) {
      expect({ name, image: definition.image }).toEqual({ name, image: expect.any(String) });
      const tag = tagOf(definition.image!);
      expect({ name, tag }).toEqual({ name, tag: expect.stringMatching(/^(?!latest$)[\w][\w.-]*$/) });
    }
  });

  it('pins third-party images to a version', () => {
    expect(service('postgres').image).toMatch(/^postgres:16\.\d+$/);
    expect(service('temporal').image).toMatch(/^temporalio\/auto-setup:\d+\.\d+\.\d+$/);
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    expect(service('temporal-admin-tools').image).toMatch(/^temporalio\/admin-tools:\d+\.\d+\.\d+/);
    expect(service('maildev').image).toMatch(/^maildev\/maildev:\d+\.\d+\.\d+$/);
  });

  it('runs Temporal on the shared PostgreSQL under a role of its own, the app under another (issue 12)', () => {
    const env = service('temporal').environment!;
    expect(env.DB).toBe('postgres12');
    expect(env.POSTGRES_SEEDS).toBe('postgres');
    const appUser = /^postgres:\/\/([^:]+):/.exec(String(service('api').environment!.DATABASE_URL))![1];
    const superuser = service('postgres').environment!.POSTGRES_USER;
    expect(new Set([env.POSTGRES_USER, appUser, superuser]).size).toBe(3);
    expect(env.POSTGRES_PWD).toBe('${TEMPORAL_DB_PASSWORD:?set TEMPORAL_DB_PASSWORD}');
    // The roles and their databases are made by the postgres service's first start, not by Temporal's set-up.
    expect(env.SKIP_DB_CREATE).toBe('true');
    const script = rolesScript();
    expect(script).toContain(`CREATE ROLE ${appUser} LOGIN PASSWORD :'app_password';`);
    expect(script).toContain(`CREATE ROLE ${env.POSTGRES_USER} LOGIN PASSWORD :'temporal_password';`);
    expect(script).toContain(`CREATE DATABASE bankkoppeling OWNER ${appUser};`);
    for (const db of [env.DBNAME, env.VISIBILITY_DBNAME]) {
      expect(script).toContain(`CREATE DATABASE ${db} OWNER ${env.POSTGRES_USER};`);
      expect(script).toContain(`REVOKE ALL ON DATABASE ${db} FROM PUBLIC;`);
    }
    expect(script).toContain('REVOKE ALL ON DATABASE bankkoppeling FROM PUBLIC;');
    expect(service('postgres').healthcheck?.test).toEqual(
      expect.arrayContaining([expect.stringContaining('pg_isready')]),
    );
    expect(compose.volumes).toHaveProperty('postgres-data');
  });

  it('lets workers scale: no ports and no container_name', () => {
    expect(service('worker').ports).toBeUndefined();
    for (const [name, definition] of Object.entries(services)) {
      expect({ name, container_name: definition.container_name }).toEqual({ name, container_name: undefined });
    }
  });

  it('builds the app services from the Dockerfile with their commands', () => {
    for (const name of APP_SERVICES) expect(service(name).build).toBe('.');
    expect(service('api').command).toEqual(['node', 'dist/bin/api.js']);
    expect(service('worker').command).toEqual(['node', 'dist/bin/worker.js']);
    expect(service('migrate').command).toEqual(['node', 'dist/bin/cli.js', 'db', 'migrate']);
  });

  it('configures the app services for the containers beside them', () => {
    for (const name of APP_SERVICES) {
      const env = service(name).environment!;
      expect(env.DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@postgres:5432\/bankkoppeling$/);
      expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(env.SMTP_URL).toBe('smtp://maildev:1025');
      expect(env).toHaveProperty('PUBLIC_BASE_URL');
      expect(env).toHaveProperty('TEMPORAL_NAMESPACE');
      expect(env).toHaveProperty('LOG_LEVEL');
    }
  });

  it('takes secrets only from the environment, refusing to start without them', () => {
    for (const name of APP_SERVICES) {
      expect(service(name).environment!.SECRETS_KEY).toBe('${SECRETS_KEY:?set SECRETS_KEY}');
      // Issue 12: a second, older key during a rotation, optional.
      expect(service(name).environment!.SECRETS_KEY_PREVIOUS).toBe('${SECRETS_KEY_PREVIOUS:-}');
      expect(service(name).environment!.DATABASE_URL).toContain('${APP_DB_PASSWORD:?');
    }
    expect(service('postgres').environment!.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?[^}]+\}$/);
    // The superuser's password stays with the postgres service.
    for (const [name, definition] of Object.entries(services)) {
      if (name === 'postgres') continue;
      expect({ name, env: JSON.stringify(definition.environment ?? {}) }).not.toEqual({
        name,
        env: expect.stringContaining('POSTGRES_PASSWORD'),
      });
    }
  });

  it('registers every Keyword search attribute, waiting for Temporal first', () => {
    const script = words(service('temporal-admin-tools').command);
    expect(SEARCH_ATTRIBUTES.map((key) => key.name)).toEqual(ATTRIBUTES);
    for (const name of ATTRIBUTES) expect(script).toMatch(new RegExp(`\\b${name}\\b`));
    expect(script).toContain('temporal operator search-attribute create');
    expect(script).toContain('--type Keyword');
    expect(script).toMatch(/until temporal operator namespace describe/);
    // Idempotent: an attribute that exists is skipped, so a rerun does not fail the stack.
    expect(script).toContain('temporal operator search-attribute list');
  });

  it('starts the app only after migrations and Temporal set-up have finished', () => {
    expect(service('migrate').depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(service('temporal').depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    for (const name of ['api', 'worker']) {
      expect(service(name).depends_on).toMatchObject({
        migrate: { condition: 'service_completed_successfully' },
        'temporal-admin-tools': { condition: 'service_completed_successfully' },
        temporal: { condition: 'service_started' },
      });
    }
  });

  it('health-checks the API on its health endpoint', () => {
    expect(words(service('api').healthcheck?.test)).toContain('http://127.0.0.1:3000/api/health');
  });
});

describe('Dockerfile', () => {
  const from = dockerfile.split('\n').filter((line) => /^FROM\s/i.test(line));

  it('builds in stages on an exactly pinned official Node 24 image', () => {
    expect(from.length).toBeGreaterThanOrEqual(2);
    for (const line of from) expect(line).toMatch(/^FROM node:24\.\d+\.\d+-[a-z]+-slim( AS [\w-]+)?$/);
    expect(new Set(from.map((line) => line.split(/\s+/)[1])).size).toBe(1);
  });

  it('installs from the lock file, builds, and drops dev dependencies', () => {
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/npm run build/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
  });

  it('runs the API as the non-root user node by default', () => {
    const afterLastFrom = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(afterLastFrom).toMatch(/^USER node$/m);
    expect(afterLastFrom).toMatch(/^CMD \["node", "dist\/bin\/api\.js"\]$/m);
  });

  it('keeps local builds, data and the git directory out of the build context', () => {
    const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.data', '.git']));
  });
});
