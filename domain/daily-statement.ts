/** "Onderhanden" / "Verwerkt": new transactions reopen a processed statement (R-A18). */
export const STATEMENT_STATUSES = ['in_progress', 'processed'] as const;
export type StatementStatus = (typeof STATEMENT_STATUSES)[number];
