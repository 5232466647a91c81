import { loadConfig } from './config';
import { startCodecServer } from './stack/codec-server';
import { secretKeys } from './stack/keys';
import { createLogger } from './stack/logger';
import { createPayloadCodec } from './stack/payload-codec';
import { onShutdown } from './stack/shutdown';

/**
 * The codec endpoint on its own, for a deployment's Temporal UI (`npm start` runs one itself): on 127.0.0.1, so
 * only the single sign-on proxy on the same host reaches it (README "Reading histories in the Temporal UI").
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel, 'codec-server');
  const server = await startCodecServer({
    codec: createPayloadCodec(secretKeys(config)),
    port: config.codecServerPort,
    uiOrigin: config.temporal.uiUrl,
  });
  log.info(`codec endpoint on ${server.url} for the Temporal UI at ${config.temporal.uiUrl}`);
  onShutdown(() => server.close());
}

main().catch((error: unknown) => {
  console.error(`codec server failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
