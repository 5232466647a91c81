import { performance } from 'node:perf_hooks';
import { emailProblem } from '../../domain/email';
import { ibanProblem } from '../../domain/iban';
import { kvkNumberProblem } from '../../domain/kvk';
import { parseSerialNumber, serialNumberProblem } from '../../domain/serial-number';

/**
 * Issue 12 item 1: every check a request field reaches grows linearly with the field, so one long field cannot
 * hold the event loop. Each input is built to make a backtracking pattern try every split of the field.
 */
const KB = 1024;

/**
 * Per run, the best of up to five runs within 50 ms (a slow check runs once), so a pause of the machine does not
 * count; at least 0.1 ms, below which the timer is noise.
 */
function millis(check: (input: string) => unknown, input: string): number {
  let best = Infinity;
  const deadline = performance.now() + 50;
  for (let run = 0; run < 5 && (run === 0 || performance.now() < deadline); run += 1) {
    const start = performance.now();
    check(input);
    best = Math.min(best, performance.now() - start);
  }
  return Math.max(best, 0.1);
}

const cases: [string, (input: string) => unknown, (size: number) => string][] = [
  ['e-mail, a domain of dots', emailProblem, (size) => `a@${'.'.repeat(size - 3)}@`],
  ['e-mail, a domain of letters and dots', emailProblem, (size) => `a@${'b.'.repeat(size / 2 - 2)}b@`],
  ['e-mail, no @', emailProblem, (size) => 'a'.repeat(size)],
  ['IBAN, spaces', ibanProblem, (size) => `${' \t'.repeat(size / 2 - 1)}xy`],
  ['IBAN, digits', ibanProblem, (size) => `NL${'0'.repeat(size - 3)}!`],
  ['KvK number, spaces', kvkNumberProblem, (size) => `${' '.repeat(size / 2)}1${' '.repeat(size / 2 - 2)}x`],
  ['KvK number, digits', kvkNumberProblem, (size) => '1'.repeat(size)],
  ['serial number, dashes', serialNumberProblem, (size) => `${'-'.repeat(size - 1)}A`],
  ['serial number, symbols', parseSerialNumber, (size) => 'A'.repeat(size)],
];

test.each(cases)('%s: a 256 KB field takes less than 8x a 32 KB one', (_name, check, input) => {
  const small = input(32 * KB);
  const large = input(256 * KB);
  expect([small.length, large.length]).toEqual([32 * KB, 256 * KB]);
  check(small);
  const ratio = millis(check, large) / millis(check, small);
  expect(ratio).toBeLessThan(8);
});

test('an e-mail address is at most 254 characters; the patterns still accept what they did', () => {
  expect(emailProblem(`${'a'.repeat(64)}@${'b'.repeat(186)}.nl`)).toBeNull();
  expect(emailProblem(`${'a'.repeat(64)}@${'b'.repeat(187)}.nl`)).toBe('is longer than 254 characters');
  for (const address of ['a@b.c', 'a@..b', 'a@b..c', 'a@.b.c', 'x.y+z@sub.example.nl']) {
    expect([address, emailProblem(address)]).toEqual([address, null]);
  }
  for (const address of ['a@b', 'a@.b', 'a@b.', '@b.c', 'a b@c.d', 'a@b@c.d']) {
    expect([address, emailProblem(address)]).toEqual([address, 'is not an e-mail address']);
  }
});
