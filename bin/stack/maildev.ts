import { existsSync } from 'node:fs';
import path from 'node:path';
import { startChild, type ManagedChild } from './child';
import { waitForPort } from './ports';

/** maildev 3 is ESM-only, so it runs as its own process from its bin script. */
export async function startMaildev(options: {
  smtpPort: number;
  webPort: number;
  /** Keeps the inbox on disk, so a restarted maildev still lists what it received before. */
  mailDirectory?: string;
  log?: (line: string) => void;
}): Promise<ManagedChild> {
  const script = findPackageFile('maildev', path.join('dist', 'bin', 'maildev.js'));
  const child = startChild(
    'maildev',
    process.execPath,
    [
      script,
      '--smtp',
      String(options.smtpPort),
      '--web',
      String(options.webPort),
      '--ip',
      '127.0.0.1',
      '--silent',
      ...(options.mailDirectory ? ['--mail-directory', options.mailDirectory] : []),
    ],
    { log: options.log },
  );
  await waitForPort(options.webPort, 15_000, child);
  await waitForPort(options.smtpPort, 5_000, child);
  return child;
}

export function findPackageFile(pkg: string, file: string): string {
  for (const dir of require.resolve.paths(pkg) ?? []) {
    const candidate = path.join(dir, pkg, file);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${pkg} is not installed (looked for ${file}); run npm install`);
}
