import { StatementParseError, type IsoDate } from '../types';

/**
 * MT940 writes dates with two-digit years (YYMMDD) and the entry date of a statement line without a year at all
 * (MMDD). Both are turned into calendar dates here, exactly as written: no time zone is involved.
 */

/** Electronic statements did not exist before 1980, so 80-99 are the 1900s and 00-79 the 2000s. */
const CENTURY_PIVOT = 80;

export function swiftDate(yymmdd: string, line: number): IsoDate {
  const yy = Number(yymmdd.slice(0, 2));
  const year = yy >= CENTURY_PIVOT ? 1900 + yy : 2000 + yy;
  const date = calendarDate(year, Number(yymmdd.slice(2, 4)), Number(yymmdd.slice(4, 6)));
  if (date === null) throw new StatementParseError(`invalid date "${yymmdd}" (expected YYMMDD)`, line);
  return date;
}

/**
 * The entry (booking) date carries no year. A booking lies within days of its value date, so the year is the
 * one that puts MMDD nearest the value date: entry 0102 with value date 2011-12-31 is 2012-01-02, and entry
 * 1231 with value date 2012-01-02 is 2011-12-31.
 */
export function entryDate(mmdd: string, valueDate: IsoDate, line: number): IsoDate {
  const valueYear = Number(valueDate.slice(0, 4));
  const valueTime = Date.parse(valueDate);
  const candidates = [valueYear - 1, valueYear, valueYear + 1]
    .map((year) => calendarDate(year, Number(mmdd.slice(0, 2)), Number(mmdd.slice(2, 4))))
    .filter((date): date is IsoDate => date !== null);
  if (candidates.length === 0) throw new StatementParseError(`invalid entry date "${mmdd}" (expected MMDD)`, line);
  return candidates.reduce((best, date) =>
    Math.abs(Date.parse(date) - valueTime) < Math.abs(Date.parse(best) - valueTime) ? date : best,
  );
}

function calendarDate(year: number, month: number, day: number): IsoDate | null {
  const time = Date.UTC(year, month - 1, day);
  const check = new Date(time);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
