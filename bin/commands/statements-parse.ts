import { readFile } from 'node:fs/promises';
import { decodeStatementBytes } from '../../domain/statements/parse';
import { StatementParseError } from '../../domain/statements/types';
import { parseStatementFile } from '../../bank-files/parse';

const USAGE = 'Usage: npm run --silent cli -- statements parse FILE';

/**
 * `statements parse FILE`: the file's statements as the JSON of DESIGN.md "Contracts" on stdout. Scripts pipe
 * stdout into other tools, so on any failure stdout stays empty and the reason goes to stderr; the exit code
 * is 2 for a wrong invocation and 1 for a file that cannot be read or parsed. Needs no database.
 */
export async function statementsParse(args: string[]): Promise<number> {
  if (args.length !== 1 || args[0].startsWith('-')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const [file] = args;
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    process.stderr.write(`${file}: cannot read the file: ${readFailure(error)}\n`);
    return 1;
  }
  try {
    const parsed = await parseStatementFile(decodeStatementBytes(bytes));
    process.stdout.write(`${JSON.stringify(parsed, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof StatementParseError)) throw error;
    process.stderr.write(`${file}: ${error.message}\n`);
    return 1;
  }
}

function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
