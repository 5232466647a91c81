/** Dates and instants in the time the banks and the office keep: Europe/Amsterdam. Pure, so workflows may use it. */

/** The Amsterdam calendar date of an instant: banks book by Dutch days. */
export function amsterdamDate(instant: Date): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Amsterdam',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const DUTCH_MONTHS = [
  'januari',
  'februari',
  'maart',
  'april',
  'mei',
  'juni',
  'juli',
  'augustus',
  'september',
  'oktober',
  'november',
  'december',
] as const;

/** The Dutch name of a date's month (YYYY-MM-DD), as payment descriptions write it ("Termijnbedrag maart"). */
export function dutchMonthName(date: string): string {
  return DUTCH_MONTHS[Number(date.slice(5, 7)) - 1] ?? '';
}

const HOUR_MS = 3_600_000;

const parts = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Amsterdam',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** Amsterdam's offset from UTC at an instant, in whole hours: +1 in winter, +2 in summer. */
function offsetHours(instant: Date): number {
  const get = (type: string) => Number(parts.formatToParts(instant).find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((wall - Math.floor(instant.getTime() / 1000) * 1000) / HOUR_MS);
}

/** 00:00 in Amsterdam at the start of a calendar date (YYYY-MM-DD). */
export function amsterdamMidnight(date: string): Date {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  // Midnight is never inside a daylight-saving change here (those happen at 02:00 and 03:00).
  return new Date(utcMidnight - offsetHours(new Date(utcMidnight)) * HOUR_MS);
}

/** The next 00:00 in Amsterdam after an instant: when a bank's daily count starts again. */
export function nextAmsterdamMidnight(instant: Date): Date {
  return amsterdamMidnight(addDays(amsterdamDate(instant), 1));
}

/**
 * An instant as ISO 8601 in Amsterdam time with its offset, e.g. 2026-12-08T00:00:00+01:00: what support staff
 * and API users read, unambiguous and in the time the office works in.
 */
export function amsterdamIso(instant: Date): string {
  const offset = offsetHours(instant);
  const wall = new Date(instant.getTime() + offset * HOUR_MS).toISOString().slice(0, 19);
  return `${wall}${offset < 0 ? '-' : '+'}${String(Math.abs(offset)).padStart(2, '0')}:00`;
}
