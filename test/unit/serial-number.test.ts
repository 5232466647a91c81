import { randomBytes } from 'node:crypto';
import { createTokenCipher } from '../../db/token-cipher';
import { createKeyring } from '../../domain/secret-keys';
import {
  constantTimeEqual,
  formatSerialNumber,
  generateSerialNumber,
  normaliseSerialNumber,
  parseSerialNumber,
  SERIAL_ALPHABET,
  serialNumberHash,
  serialNumberProblem,
} from '../../domain/serial-number';

describe('serial numbers (R-V6, R-V7, R-V9): hard to guess, easy to type, typos caught before a lookup', () => {
  test('12 symbols from an alphabet without 0/O/1/I/L, formatted XXXX-XXXX-XXXX, with a valid check symbol', () => {
    expect(SERIAL_ALPHABET).not.toMatch(/[01OIL]/);
    expect(SERIAL_ALPHABET).toHaveLength(31);
    for (let i = 0; i < 200; i += 1) {
      const serial = generateSerialNumber();
      expect(serial).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{12}$/);
      expect(formatSerialNumber(serial)).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
      expect(serialNumberProblem(serial)).toBeNull();
    }
    // 11 random symbols of 31: at least 50 bits.
    expect(11 * Math.log2(31)).toBeGreaterThan(50);
  });

  test('random: 2,000 serial numbers are all different and every symbol occurs', () => {
    const seen = new Set(Array.from({ length: 2_000 }, generateSerialNumber));
    expect(seen.size).toBe(2_000);
    const symbols = new Set([...seen].join('').split(''));
    expect(symbols.size).toBe(31);
  });

  test('input is normalised: case, spaces and dashes do not matter', () => {
    const serial = generateSerialNumber();
    const typed = ` ${formatSerialNumber(serial).toLowerCase().replace(/-/g, ' - ')} `;
    expect(normaliseSerialNumber(typed)).toBe(serial);
    expect(parseSerialNumber(typed)).toBe(serial);
    expect(parseSerialNumber(formatSerialNumber(serial))).toBe(serial);
  });

  test('every single wrong symbol and every swap of two different neighbours is caught by the check symbol', () => {
    for (let round = 0; round < 20; round += 1) {
      const serial = generateSerialNumber();
      for (let i = 0; i < serial.length; i += 1) {
        for (const other of SERIAL_ALPHABET) {
          if (other === serial[i]) continue;
          const typo = serial.slice(0, i) + other + serial.slice(i + 1);
          expect(serialNumberProblem(typo)).toBe('has a typing error');
        }
        if (i + 1 < serial.length && serial[i] !== serial[i + 1]) {
          const swapped = serial.slice(0, i) + serial[i + 1] + serial[i] + serial.slice(i + 2);
          expect(parseSerialNumber(swapped)).toBeNull();
        }
      }
    }
  });

  test('what cannot be a serial number is named in words', () => {
    expect(serialNumberProblem('')).toBe('is empty');
    expect(serialNumberProblem('ABCD-EFGH')).toBe('must be 12 characters');
    expect(serialNumberProblem('ABCD-EFGH-JK0M')).toBe('contains characters a serial number never has (0, O, 1, I, L)');
    expect(serialNumberProblem('4759724')).toBe('must be 12 characters');
    expect(parseSerialNumber('ABCD-EFGH-JK0M')).toBeNull();
  });

  test('the lookup hash is keyed by SECRETS_KEY: another key gives another hash, and the hash is not the serial', () => {
    const serial = generateSerialNumber();
    const one = createTokenCipher(createKeyring(randomBytes(32).toString('base64')));
    const two = createTokenCipher(createKeyring(randomBytes(32).toString('base64')));
    expect(serialNumberHash(one, serial)).toMatch(/^[0-9a-f]{64}$/);
    expect(serialNumberHash(one, serial)).toBe(serialNumberHash(one, serial));
    expect(serialNumberHash(one, serial)).not.toBe(serialNumberHash(two, serial));
    expect(one.decrypt(one.encrypt(serial))).toBe(serial);
  });

  test('constant-time equality', () => {
    expect(constantTimeEqual('68750110', '68750110')).toBe(true);
    expect(constantTimeEqual('68750110', '68750111')).toBe(false);
    expect(constantTimeEqual('6875011', '68750110')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});
