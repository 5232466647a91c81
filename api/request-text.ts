import type { FieldError } from './problem';

/**
 * PostgreSQL text cannot hold U+0000, so a NUL anywhere in a request would fail in the database, as a 500, after the
 * handler did its work. No field of this API has a use for one: it is refused up front, each field named as the
 * schema checks name them. Iterative, so a deeply nested body cannot exhaust the stack.
 */
export function nulCharacterErrors(input: unknown, where: 'path' | 'query' | 'body'): FieldError[] {
  const errors: FieldError[] = [];
  const pending: { value: unknown; path: string[] }[] = [{ value: input, path: [] }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, path } = next;
    const field = path.length ? path.join('.') : where;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) errors.push({ field, message: 'contains a NUL character (U+0000)' });
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\u0000')) errors.push({ field, message: 'has a field name with a NUL character (U+0000)' });
        else pending.push({ value: item, path: [...path, key] });
      }
    }
  }
  return errors.reverse();
}
