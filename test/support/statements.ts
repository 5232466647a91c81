import { StatementParseError } from '../../domain/statements/types';

/** The StatementParseError a parse throws; a clean parse or any other error fails the test. */
export function statementParseError(parse: () => unknown): StatementParseError {
  try {
    parse();
  } catch (error) {
    if (error instanceof StatementParseError) return error;
    throw error;
  }
  throw new Error('expected a StatementParseError, but the statement parsed');
}
