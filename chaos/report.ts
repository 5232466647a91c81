import type { Finding } from './audit';

export interface Totals {
  onboardings: number;
  fetches: number;
  faults: number;
}

/**
 * Prints every finding by category, each with the ids a developer looks up, then the run's last line; answers the
 * exit code: non-zero when anything was lost, duplicated, mailed twice or stuck.
 */
export function report(totals: Totals, findings: readonly Finding[], say: (line: string) => void): number {
  const count = (category: Finding['category']) => findings.filter((f) => f.category === category).length;
  const headings: [Finding['category'], string][] = [
    ['note', 'Notes'],
    ['waiting', 'Waiting for a named reason (expected)'],
    ['lost', 'LOST'],
    ['duplicated', 'DUPLICATED'],
    ['duplicate-email', 'DUPLICATE E-MAILS'],
    ['stuck', 'STUCK'],
  ];
  for (const [category, heading] of headings) {
    const items = findings.filter((f) => f.category === category);
    if (!items.length) continue;
    say(`${heading} (${items.length}):`);
    for (const item of items) say(`  ${item.what}`);
  }
  const [lost, duplicated, emails, stuck] = [
    count('lost'),
    count('duplicated'),
    count('duplicate-email'),
    count('stuck'),
  ];
  say(
    `chaos: ${totals.onboardings} onboardings, ${totals.fetches} fetches, ${totals.faults} faults; ` +
      `lost ${lost}, duplicated ${duplicated}, duplicate e-mails ${emails}, stuck ${stuck}`,
  );
  return lost + duplicated + emails + stuck > 0 ? 1 : 0;
}
