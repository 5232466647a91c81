import { parseArgs } from 'node:util';

export interface FuzzOptions {
  /** The least number of requests the run must send; it fails when it sent fewer. */
  requests: number;
  seed: number;
  /** Where Schemathesis's reports (HAR, JSON) are kept; by default a temporary directory, removed at the end. */
  reports: string | null;
  /** Only install Schemathesis (CI's provisioning step), run nothing. */
  provisionOnly: boolean;
}

export const DEFAULT_REQUESTS = 5000;

export const FUZZ_USAGE =
  'Usage: npm run fuzz -- [--requests <at least this many, default 5000>] [--seed <integer>] [--reports <directory to keep the reports in>]';

export function parseFuzzOptions(args: string[]): FuzzOptions {
  const { values } = parseArgs({
    args,
    options: {
      requests: { type: 'string' },
      seed: { type: 'string' },
      reports: { type: 'string' },
      'provision-only': { type: 'boolean' },
    },
  });
  const requests = values.requests === undefined ? DEFAULT_REQUESTS : Number(values.requests);
  if (!Number.isInteger(requests) || requests < 1)
    throw new Error(`--requests must be a positive integer\n${FUZZ_USAGE}`);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer\n${FUZZ_USAGE}`);
  return { requests, seed, reports: values.reports ?? null, provisionOnly: values['provision-only'] ?? false };
}
