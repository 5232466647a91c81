/**
 * A PostgreSQL array literal for one bound parameter (`?::text[]`), so a whole page of rows travels as a few
 * parameters into `unnest(...)` instead of thousands of placeholders. Every element is quoted and escaped, so
 * no value can end the literal early.
 */
export function pgArray(values: readonly (string | number | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const value = values[i];
    out +=
      value === null || value === undefined ? 'NULL' : `"${String(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  }
  return `${out}}`;
}
