import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm run bench -- <name> [args]` runs `bench/<name>.ts`'s exported `run(args)`. A benchmark is any module
 * directly in bench/ (this runner aside); helpers live in subfolders, so they are never mistaken for one and
 * a new benchmark needs no registration here.
 */

type Benchmark = { run(args: string[]): Promise<void> };

function available(): string[] {
  return readdirSync(__dirname)
    .filter((file) => file.endsWith('.js') && file !== 'run.js')
    .map((file) => file.slice(0, -'.js'.length))
    .sort();
}

async function main([name, ...args]: string[]): Promise<number> {
  const names = available();
  if (name === undefined || !names.includes(name)) {
    const given = name === undefined ? 'no benchmark named' : `unknown benchmark "${name}"`;
    process.stderr.write(`${given}; available: ${names.join(', ') || 'none'}\nUsage: npm run bench -- <name> [args]\n`);
    return 2;
  }
  // The benchmark is named on the command line, so it can only be loaded at run time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const benchmark = require(join(__dirname, name)) as Partial<Benchmark>;
  if (typeof benchmark.run !== 'function') throw new Error(`bench/${name}.ts does not export run(args)`);
  await benchmark.run(args);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
