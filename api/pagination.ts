import { z } from 'zod';
import { Problem } from './problem';

/**
 * Keyset pagination on (createdAt, id): stable while rows are added, and every page is one index range scan.
 * The cursor is opaque to clients.
 */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50).describe('Items per page, 1 to 100'),
  cursor: z.string().max(200).optional().describe('The `nextCursor` of the previous page'),
});

export interface Keyset {
  createdAt: Date;
  id: string;
}

/**
 * What encodeCursor writes. The date is checked by round trip as well: a year PostgreSQL cannot store (0, or before
 * 4713 BC) or an id that is not a UUID would otherwise reach the query and fail there as a 500.
 */
const DecodedCursor = z
  .object({ c: z.iso.datetime({ precision: 3 }), i: z.uuid() })
  .strict()
  .refine(({ c }) => new Date(c).getUTCFullYear() >= 1 && new Date(c).toISOString() === c);

export function decodeCursor(cursor: string | undefined): Keyset | null {
  if (!cursor) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const parsed = DecodedCursor.safeParse(decoded);
  if (!parsed.success) throw Problem.field('cursor', 'is not a cursor this API returned');
  return { createdAt: new Date(parsed.data.c), id: parsed.data.i };
}

export function encodeCursor(row: Keyset): string {
  return Buffer.from(JSON.stringify({ c: row.createdAt.toISOString(), i: row.id })).toString('base64url');
}

/** The filter for "rows after the cursor" in (createdAt, id) order. */
export function afterCursor(cursor: Keyset | null): Record<string, unknown> {
  if (!cursor) return {};
  return {
    $or: [{ createdAt: { $gt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { $gt: cursor.id } }],
  };
}

/** Fetch limit + 1 rows; the extra row only tells whether there is a next page. */
export function page<T extends Keyset, U>(
  rows: T[],
  limit: number,
  present: (row: T) => U,
): { items: U[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items.map(present), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}
