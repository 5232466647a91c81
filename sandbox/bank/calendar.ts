/**
 * Dates as a Dutch bank sees them: booking days are calendar days in Europe/Amsterdam, so a payment at 00:30
 * local time (23:30 UTC the day before) belongs to the new day. All dates are ISO `YYYY-MM-DD` strings.
 */

const AMSTERDAM_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Amsterdam',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

export function amsterdamDate(instant: Date): string {
  const parts = AMSTERDAM_DAY.formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

export function addDays(date: string, days: number): string {
  const parsed = new Date(`${date}T00:00:00Z`);
  parsed.setUTCDate(parsed.getUTCDate() + days);
  return parsed.toISOString().slice(0, 10);
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

export function isWeekend(date: string): boolean {
  const day = weekday(date);
  return day === 0 || day === 6;
}

/** Seconds from `instant` until the next Amsterdam midnight, when daily access counters start again. */
export function secondsUntilNextAmsterdamDay(instant: Date): number {
  const today = amsterdamDate(instant);
  let low = instant.getTime();
  let high = low + 26 * 3_600_000;
  // The offset to UTC changes with DST, so search the instant the local date flips instead of doing offset maths.
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (amsterdamDate(new Date(mid)) === today) low = mid;
    else high = mid;
  }
  return Math.max(1, Math.ceil((high - instant.getTime()) / 1000));
}
