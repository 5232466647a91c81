import { bankIdKey } from '../../dedupe';
import { fitEntry } from '../../fit-entry';
import { type ParseWarning, type StatementEntry, StatementValueError } from '../types';
import type { StatementDraft } from './message-structure';

/**
 * The rule of domain/value-limits.ts on every entry, named by its :61: line: free text is shortened with a warning,
 * an identifier that cannot fit refuses the file. Runs before the fingerprint keys are made, so they are made of
 * what is stored.
 */
export function fitEntries(drafts: readonly StatementDraft<StatementEntry>[]): ParseWarning[] {
  const warnings: ParseWarning[] = [];
  for (const draft of drafts) {
    draft.entries.forEach((entry, i) => {
      const line = draft.entryLines[i] ?? null;
      const fit = fitEntry(entry);
      if (fit.refusals.length > 0) throw new StatementValueError(fit.refusals.join('; '), line);
      for (const message of fit.warnings) warnings.push({ line, message });
      // The entry's key was made from its reference as read; without a NUL the reference, and so its key, differ.
      if (entry.bankReference === '') entry.bankReference = null;
      entry.dedupeKey = entry.bankReference === null ? '' : bankIdKey(entry.bankReference);
    });
  }
  return warnings;
}
