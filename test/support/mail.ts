import { SERIAL_ALPHABET } from '../../domain/serial-number';
import { eventually } from './eventually';
import type { World } from './world';

/** The text of a captured e-mail: quoted-printable soft breaks joined and bytes decoded as UTF-8. */
export function decodeQuotedPrintable(raw: string): string {
  const bytes = raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

type Mailbox = Pick<World, 'smtp' | 'baseUrl'>;

/** The client's link of the app at baseUrl (…/connect/<token>) in an e-mail's text. */
export function clientLinkIn(text: string, baseUrl: string): string | undefined {
  return new RegExp(`${baseUrl.replace(/[.]/g, '\\.')}/connect/[A-Za-z0-9_-]{43}`).exec(text)?.[0];
}

/** The client links e-mailed to the address, oldest first. */
export function linksMailedTo(world: Mailbox, address: string): string[] {
  return world.smtp.messages
    .filter((m) => m.to.includes(address))
    .map((m) => clientLinkIn(decodeQuotedPrintable(m.raw), world.baseUrl))
    .filter((link): link is string => link !== undefined);
}

/** The count-th client link e-mailed to the address, once it has come. */
export async function linkMailedTo(world: Mailbox, address: string, count = 1): Promise<string> {
  return eventually(() => linksMailedTo(world, address)[count - 1]);
}

/** A serial number as the e-mail prints it: three groups of four of the serial alphabet. */
const PRINTED_SERIAL = new RegExp(`\\b[${SERIAL_ALPHABET}]{4}-[${SERIAL_ALPHABET}]{4}-[${SERIAL_ALPHABET}]{4}\\b`);

/** The serial numbers e-mailed to the address, oldest first, with the text of their e-mails. */
export function serialsMailedTo(world: Pick<World, 'smtp'>, address: string): { serial: string; text: string }[] {
  return world.smtp.messages
    .filter((m) => m.to.includes(address))
    .map((m) => decodeQuotedPrintable(m.raw))
    .map((text) => ({ serial: PRINTED_SERIAL.exec(text)?.[0] ?? '', text }))
    .filter((m) => m.serial !== '');
}

/** The count-th serial number e-mailed to the address, once it has come, with its e-mail's text. */
export async function serialMailedTo(
  world: Pick<World, 'smtp'>,
  address: string,
  count = 1,
): Promise<{ serial: string; text: string }> {
  return eventually(() => serialsMailedTo(world, address)[count - 1]);
}
