import { createHash } from 'node:crypto';

/**
 * When a connection's scheduled fetches run (R-V5, R-A17, R-D2): `perDay` runs at equal intervals over the day,
 * shifted by an offset derived from the connection id, so thousands of connections do not all call the banks
 * at the top of the hour. Deterministic: the same connection always gets the same times.
 */
export interface FetchTime {
  hour: number;
  minute: number;
}

export function fetchTimes(connectionId: string, perDay: number): FetchTime[] {
  if (!Number.isInteger(perDay) || perDay < 1 || perDay > 24)
    throw new Error(`fetches per day must be 1..24, got ${perDay}`);
  const intervalMinutes = (24 * 60) / perDay;
  const offset = createHash('sha256').update(connectionId).digest().readUInt32BE(0) % Math.floor(intervalMinutes);
  return Array.from({ length: perDay }, (_, i) => {
    const minuteOfDay = Math.floor(offset + i * intervalMinutes);
    return { hour: Math.floor(minuteOfDay / 60), minute: minuteOfDay % 60 };
  });
}

export function fetchScheduleId(connectionId: string): string {
  return `connection:${connectionId}:fetch`;
}
