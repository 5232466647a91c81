import { cacheDir, resolveTemporalCli, resolveTestServer } from './stack/provision';

/**
 * `npm run provision`: fills the cache ahead of time (for CI images or before going offline), so `npm start` and
 * `npm test` start at once. Exits 1 when a binary could not be provisioned: the SDK's own download, which the
 * stack would fall back to, is not reachable from every machine.
 */
async function main(): Promise<number> {
  console.log(`Cache: ${cacheDir()}`);
  const results: [string, string | null][] = [
    ['Temporal CLI', await resolveTemporalCli()],
    ['Temporal test server', await resolveTestServer()],
  ];
  for (const [title, resolved] of results) {
    console.log(`${title}: ${resolved ?? "not provisioned (reason above); the SDK's own download would be tried"}`);
  }
  return results.every(([, resolved]) => resolved !== null) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
