import { StatementParseError, type IsoDate } from '../types';

/**
 * MT940 writes dates with two-digit years (YYMMDD) and the entry date of a statement line without a year at all
 * (MMDD). Both are turned into calendar dates here, exactly as written: no time zone is involved.
 */

/** Electronic statements did not exist before 1980, so 80-99 are the 1900s and 00-79 the 2000s. */
const CENTURY_PIVOT = 80;

/** Statements repeat a handful of dates thousands of times: YYMMDD as a number -> date. */
const SWIFT_DATES = new Map<number, IsoDate>();
const MAX_CACHED_DATES = 4096;
const SIX_DIGITS = /^\d{6}$/;
let lastKey = -1;
let lastDate: IsoDate = '';

export function swiftDate(yymmdd: string, line: number): IsoDate {
  return SIX_DIGITS.test(yymmdd) ? swiftDateAt(yymmdd, 0, line) : readSwiftDate(yymmdd, line);
}

/** The YYMMDD date at `start` of `text`, which the caller has checked to be six ASCII digits. */
export function swiftDateAt(text: string, start: number, line: number): IsoDate {
  let key = 0;
  for (let i = start; i < start + 6; i++) key = key * 10 + (text.charCodeAt(i) - 0x30);
  // The entries of a statement mostly share their date.
  if (key === lastKey) return lastDate;
  const cached = SWIFT_DATES.get(key);
  if (cached !== undefined) {
    lastKey = key;
    lastDate = cached;
    return cached;
  }
  const date = readSwiftDate(text.slice(start, start + 6), line);
  if (SWIFT_DATES.size >= MAX_CACHED_DATES) SWIFT_DATES.clear();
  SWIFT_DATES.set(key, date);
  return date;
}

function readSwiftDate(yymmdd: string, line: number): IsoDate {
  const yy = Number(yymmdd.slice(0, 2));
  const year = yy >= CENTURY_PIVOT ? 1900 + yy : 2000 + yy;
  const date = calendarDate(year, Number(yymmdd.slice(2, 4)), Number(yymmdd.slice(4, 6)));
  if (date === null) throw new StatementParseError(`invalid date "${yymmdd}" (expected YYMMDD)`, line);
  return date;
}

/**
 * The entry (booking) date carries no year. A booking lies within days of its value date, so the year is the
 * one that puts MMDD nearest the value date: entry 0102 with value date 2011-12-31 is 2012-01-02, and entry
 * 1231 with value date 2012-01-02 is 2011-12-31. Of two equally near, the earlier year wins.
 *
 * The MMDD date is at `start` of `text`, which the caller has checked to be four ASCII digits; `valueDate` is
 * YYYY-MM-DD.
 */
export function entryDateAt(text: string, start: number, valueDate: IsoDate, line: number): IsoDate {
  // Most entries are booked on their value date.
  if (
    text.charCodeAt(start) === valueDate.charCodeAt(5) &&
    text.charCodeAt(start + 1) === valueDate.charCodeAt(6) &&
    text.charCodeAt(start + 2) === valueDate.charCodeAt(8) &&
    text.charCodeAt(start + 3) === valueDate.charCodeAt(9)
  ) {
    return valueDate;
  }
  const mmdd = text.slice(start, start + 4);
  const valueYear = Number(valueDate.slice(0, 4));
  const valueTime = Date.UTC(valueYear, Number(valueDate.slice(5, 7)) - 1, Number(valueDate.slice(8, 10)));
  const month = Number(mmdd.slice(0, 2));
  const day = Number(mmdd.slice(2, 4));
  let best: IsoDate | null = null;
  let bestDistance = Infinity;
  for (let year = valueYear - 1; year <= valueYear + 1; year++) {
    const date = calendarDate(year, month, day);
    if (date === null) continue;
    const distance = Math.abs(Date.UTC(year, month - 1, day) - valueTime);
    if (best === null || distance < bestDistance) {
      best = date;
      bestDistance = distance;
    }
  }
  if (best === null) throw new StatementParseError(`invalid entry date "${mmdd}" (expected MMDD)`, line);
  return best;
}

function calendarDate(year: number, month: number, day: number): IsoDate | null {
  const time = Date.UTC(year, month - 1, day);
  const check = new Date(time);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
