/** The KvK number (Dutch Chamber of Commerce) has exactly 8 digits and no check digit (R-V3). */
export function kvkNumberProblem(input: string): string | null {
  // Checked before the pattern and the trim, so a long field costs nothing.
  if (input.length > 64) return 'must be 8 digits';
  return /^[0-9]{8}$/.test(input.trim()) ? null : 'must be 8 digits';
}
