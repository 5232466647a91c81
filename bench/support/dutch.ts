const MONTHS = [
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

/** The Dutch name of an ISO date's month, as payment descriptions write it ("Termijnbedrag maart"). */
export function dutchMonth(isoDate: string): string {
  return MONTHS[Number(isoDate.slice(5, 7)) - 1]!;
}
