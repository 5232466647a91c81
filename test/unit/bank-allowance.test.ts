import { amsterdamIso, amsterdamMidnight, nextAmsterdamMidnight } from '../../domain/amsterdam-time';
import { ACCOUNT_LIST_CALL, judgeCalls, planCalls, transactionsCall } from '../../domain/bank-allowance';

const A = 'NL69INGB0123456789';
const B = 'NL47INGB0123456797';
const winterNoon = new Date('2026-12-07T11:00:00Z');

describe('Amsterdam time', () => {
  test('midnight in winter is 23:00 UTC the day before, in summer 22:00', () => {
    expect(amsterdamMidnight('2026-12-08').toISOString()).toBe('2026-12-07T23:00:00.000Z');
    expect(amsterdamMidnight('2026-07-01').toISOString()).toBe('2026-06-30T22:00:00.000Z');
  });

  test('the next midnight across the changes to and from summer time', () => {
    expect(nextAmsterdamMidnight(new Date('2026-03-28T23:30:00Z')).toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(nextAmsterdamMidnight(new Date('2026-10-24T22:30:00Z')).toISOString()).toBe('2026-10-25T23:00:00.000Z');
    // 23:30 UTC on 7 December is already 8 December in Amsterdam.
    expect(nextAmsterdamMidnight(new Date('2026-12-07T23:30:00Z')).toISOString()).toBe('2026-12-08T23:00:00.000Z');
  });

  test('ISO 8601 with the offset support staff read', () => {
    expect(amsterdamIso(new Date('2026-12-07T23:00:00Z'))).toBe('2026-12-08T00:00:00+01:00');
    expect(amsterdamIso(new Date('2026-07-01T10:15:30Z'))).toBe('2026-07-01T12:15:30+02:00');
  });
});

describe('the bank call allowance', () => {
  test('a call fits until the day has as many as the bank granted; then it names the next run', () => {
    expect(judgeCalls([transactionsCall(A)], new Map([[transactionsCall(A), 3]]), 4, winterNoon)).toEqual({
      allowed: true,
    });
    const refused = judgeCalls([transactionsCall(A)], new Map([[transactionsCall(A), 4]]), 4, winterNoon);
    expect(refused).toMatchObject({
      allowed: false,
      call: `transactions:${A}`,
      limit: 4,
      nextRunAt: '2026-12-08T00:00:00+01:00',
    });
    expect(refused.allowed || refused.reason).toBe(
      `the bank allows 4 unattended calls a day for the transactions of ${A} and today's are used; the next fetch can run at 2026-12-08T00:00:00+01:00`,
    );
  });

  test('a run asks the account list only for an account whose bank id is unknown', () => {
    const known = planCalls(
      [
        { iban: A, resourceIdKnown: true },
        { iban: B, resourceIdKnown: true },
      ],
      new Map(),
      4,
      winterNoon,
    );
    expect(known).toEqual({ fetch: [A, B], needsAccountList: false, leftOut: [] });
    const unknown = planCalls(
      [
        { iban: A, resourceIdKnown: true },
        { iban: B, resourceIdKnown: false },
      ],
      new Map(),
      4,
      winterNoon,
    );
    expect(unknown).toEqual({ fetch: [A, B], needsAccountList: true, leftOut: [] });
  });

  test('accounts whose calls are used are left out, the others fetched', () => {
    const made = new Map([
      [transactionsCall(A), 4],
      [transactionsCall(B), 2],
    ]);
    const plan = planCalls(
      [
        { iban: A, resourceIdKnown: true },
        { iban: B, resourceIdKnown: true },
      ],
      made,
      4,
      winterNoon,
    );
    expect(plan.fetch).toEqual([B]);
    expect(plan.leftOut.map((l) => [l.iban, l.verdict.call])).toEqual([[A, `transactions:${A}`]]);
  });

  test('an account with an unknown bank id is left out when the account list is used up', () => {
    const made = new Map([[ACCOUNT_LIST_CALL, 4]]);
    const plan = planCalls(
      [
        { iban: A, resourceIdKnown: false },
        { iban: B, resourceIdKnown: true },
      ],
      made,
      4,
      winterNoon,
    );
    expect(plan).toMatchObject({
      fetch: [B],
      needsAccountList: false,
      leftOut: [{ iban: A, verdict: { call: 'accounts' } }],
    });
  });
});
