/** `npm start` forwards the terminal's Ctrl-C to us, which then arrives twice within milliseconds. */
const REPEAT_GRACE_MS = 2_000;

/**
 * Runs the cleanup once on SIGINT or SIGTERM; a second signal later than the grace period exits at once, for the
 * impatient Ctrl-C Ctrl-C.
 */
export function onShutdown(
  cleanup: () => Promise<void>,
  log: (line: string) => void = (line) => console.error(line),
): void {
  let stoppingSince: number | null = null;
  const handler = (signal: NodeJS.Signals) => {
    if (stoppingSince !== null) {
      if (Date.now() - stoppingSince < REPEAT_GRACE_MS) return;
      log(`${signal} again: exiting now`);
      process.exit(130);
    }
    stoppingSince = Date.now();
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
