/** What `npm run chaos` is asked to do; the defaults are issue 12's, CI passes `--onboardings 20 --fetches 200`. */
export interface ChaosOptions {
  onboardings: number;
  fetches: number;
  /** Seeds the order and moments of the faults and the journeys' choices, so a run can be repeated. */
  seed: number;
}

export const DEFAULT_OPTIONS: ChaosOptions = { onboardings: 200, fetches: 2_000, seed: Date.now() % 1_000_000 };

export function parseOptions(argv: readonly string[]): ChaosOptions {
  const options = { ...DEFAULT_OPTIONS };
  for (let i = 0; i < argv.length; i += 1) {
    const name = argv[i]!;
    const value = Number(argv[i + 1]);
    const key = ({ '--onboardings': 'onboardings', '--fetches': 'fetches', '--seed': 'seed' } as const)[name];
    if (!key || !Number.isInteger(value) || value < 0) {
      throw new Error(`usage: npm run chaos -- [--onboardings N] [--fetches N] [--seed N] (got "${name}")`);
    }
    options[key] = value;
    i += 1;
  }
  return options;
}

/** A small seeded PRNG (mulberry32): the run's random moments come from the seed alone. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
