/** The KvK number (Dutch Chamber of Commerce) has exactly 8 digits and no check digit (R-V3). */
export function kvkNumberProblem(input: string): string | null {
  return /^[0-9]{8}$/.test(input.trim()) ? null : 'must be 8 digits';
}
