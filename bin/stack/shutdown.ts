/**
 * Runs the cleanup once on SIGINT or SIGTERM; a second signal exits at once, for the impatient Ctrl-C Ctrl-C.
 */
export function onShutdown(cleanup: () => Promise<void>, log: (line: string) => void = (line) => console.error(line)): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(130);
    }
    stopping = true;
    cleanup().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`error while stopping: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
