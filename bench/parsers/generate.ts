import { open, type FileHandle } from 'node:fs/promises';
import { businessDays, type DayStatement, DutchPayments, type Party, type Payment } from './dutch-payments';

export interface GeneratedFile {
  path: string;
  bytes: number;
  statements: number;
  entries: number;
}

/** Client accounts of one accounting office in one bank export. */
const ACCOUNTS = 24;
const FIRST_DAY = '2024-01-02';

/** Buffers about a megabyte before each write, so generating hundreds of MB holds only that much. */
class FileWriter {
  private pending: string[] = [];
  private pendingLength = 0;
  private written = 0;

  private constructor(private readonly file: FileHandle) {}

  static async create(path: string): Promise<FileWriter> {
    return new FileWriter(await open(path, 'w'));
  }

  /** A lower bound of the bytes so far: pending text counts one byte per character. */
  get size(): number {
    return this.written + this.pendingLength;
  }

  async write(text: string): Promise<void> {
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= 1 << 20) await this.flush();
  }

  async close(): Promise<number> {
    await this.flush();
    await this.file.close();
    return this.written;
  }

  private async flush(): Promise<void> {
    const chunk = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingLength = 0;
    await this.file.write(chunk);
    this.written += chunk.length;
  }
}

type Render = (statement: DayStatement, index: number) => string;

/** Writes whole day statements until the file reaches `minBytes`, between a fixed header and footer. */
async function generate(
  path: string,
  minBytes: number,
  seed: number,
  parts: { header: string; render: Render; footer: string },
): Promise<GeneratedFile> {
  const model = new DutchPayments(seed, ACCOUNTS);
  const writer = await FileWriter.create(path);
  let statements = 0;
  let entries = 0;
  await writer.write(parts.header);
  days: for (const day of businessDays(FIRST_DAY)) {
    for (const account of model.accounts) {
      const statement = model.statement(account, day);
      await writer.write(parts.render(statement, statements));
      statements += 1;
      entries += statement.payments.length;
      if (writer.size >= minBytes) break days;
    }
  }
  await writer.write(parts.footer);
  return { path, bytes: await writer.close(), statements, entries };
}

/**
 * MT940 as ING's structured export writes it: each statement in a SWIFT envelope, CRLF line ends, `/TRCD/` on
 * the :61: second line, `/CODE/value/` :86: text hard-wrapped at 65 characters (inside words and codewords),
 * :64:/:65: balances and a closing `/SUM/` :86:.
 */
export function generateMt940(path: string, minBytes: number, seed: number): Promise<GeneratedFile> {
  return generate(path, minBytes, seed, { header: '', render: mt940Statement, footer: '' });
}

const CRLF = '\r\n';
const SWIFT_LINE = 65;

function mt940Statement(statement: DayStatement, index: number): string {
  const { account, date, openingCents, closingCents, payments } = statement;
  const day = swiftDate(date);
  const lines = [
    '{1:F01INGBNL2AXXXX0000000000}{2:I940INGBNL2AXXXXN}{4:',
    `:20:P${day}${String(index + 1).padStart(9, '0')}`,
    `:25:${account.iban}EUR`,
    `:28C:${String(account.statementNumber).padStart(5, '0')}`,
    `:60F:${swiftBalance(openingCents, day)}`,
  ];
  for (const payment of payments) {
    const mark = payment.amountCents < 0 ? 'D' : 'C';
    const reference = payment.batchSize > 1 ? 'PREF' : payment.endToEndId === 'NOTPROVIDED' ? 'NONREF' : 'EREF';
    const amount = swiftAmount(payment.amountCents);
    lines.push(
      `:61:${day}${day.slice(2)}${mark}${amount}${MT940_TYPE[payment.kind]}${reference}//${payment.bankReference}`,
      `/TRCD/${ING_CODE[payment.kind]}/`,
      ...wrap(`:86:${information(payment)}`),
    );
  }
  const debits = payments.filter((p) => p.amountCents < 0);
  const credits = payments.filter((p) => p.amountCents >= 0);
  const total = (list: Payment[]) => swiftAmount(list.reduce((sum, p) => sum + p.amountCents, 0));
  lines.push(
    `:62F:${swiftBalance(closingCents, day)}`,
    `:64:${swiftBalance(closingCents, day)}`,
    `:65:${swiftBalance(closingCents, day)}`,
    `:86:/SUM/${debits.length}/${credits.length}/${total(debits)}/${total(credits)}/`,
    '-}',
  );
  return lines.join(CRLF) + CRLF;
}

const MT940_TYPE: Readonly<Record<Payment['kind'], string>> = {
  'invoice-paid-to-us': 'NTRF',
  supplier: 'NTRF',
  'direct-debit': 'NDDT',
  card: 'NMSC',
  salaries: 'NTRF',
  'bank-costs': 'NCHG',
};

const ING_CODE: Readonly<Record<Payment['kind'], string>> = {
  'invoice-paid-to-us': '00100',
  supplier: '00108',
  'direct-debit': '01016',
  card: '00190',
  salaries: '00109',
  'bank-costs': '00192',
};

function information(payment: Payment): string {
  const fields: string[] = [];
  if (payment.batchSize > 1) fields.push(`/PREF/${payment.endToEndId}/`);
  else fields.push(`/EREF/${payment.endToEndId}/`);
  if (payment.mandateId !== null) fields.push(`/MARF/${payment.mandateId}/`, `/CSID/${payment.creditorId}/`);
  const party = payment.counterparty;
  if (party?.iban) fields.push(`/IBAN/${party.iban}/`);
  if (party?.bic) fields.push(`/BIC/${party.bic}/`);
  if (party !== null) fields.push(`/NAME/${swiftText(party.name)}/`);
  fields.push(
    payment.structuredReference
      ? `/REMI/STRD/CUR/${payment.remittance}/`
      : `/REMI/USTD//${swiftText(payment.remittance)}/`,
  );
  return fields.join('');
}

/** Tag and value share the first line's 65 characters, like ING does; the cut ignores word boundaries. */
function wrap(field: string): string[] {
  const lines: string[] = [];
  for (let start = 0; start < field.length; start += SWIFT_LINE) lines.push(field.slice(start, start + SWIFT_LINE));
  return lines;
}

/** SWIFT's X character set has no accents and no `&`; banks transliterate. */
function swiftText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ı/g, 'i')
    .replace(/&/g, '+')
    .replace(/[^A-Za-z0-9/\-?:().,'+ ]/g, ' ');
}

function swiftDate(date: string): string {
  return `${date.slice(2, 4)}${date.slice(5, 7)}${date.slice(8, 10)}`;
}

function swiftAmount(cents: number): string {
  const absolute = Math.abs(cents);
  return `${Math.floor(absolute / 100)},${String(absolute % 100).padStart(2, '0')}`;
}

function swiftBalance(cents: number, day: string): string {
  return `${cents < 0 ? 'D' : 'C'}${day}EUR${swiftAmount(cents)}`;
}

/**
 * camt.053.001.02 as ING and Rabobank export it: one document, a `Stmt` per account and day with OPBD and CLBD
 * balances and a transaction summary, and per `Ntry` the bank's reference, ISO and proprietary transaction codes
 * and one `TxDtls` with references, related parties and agents and remittance (structured betalingskenmerk or
 * unstructured); a salary batch is one `Ntry` with `Btch`.
 */
export function generateCamt053(path: string, minBytes: number, seed: number): Promise<GeneratedFile> {
  const header =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"' +
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n' +
    '  <BkToCstmrStmt>\n' +
    '    <GrpHdr>\n' +
    `      <MsgId>CAMT053-${seed}-${FIRST_DAY}</MsgId>\n` +
    `      <CreDtTm>${FIRST_DAY}T06:12:45.031</CreDtTm>\n` +
    '      <MsgPgntn>\n        <PgNb>1</PgNb>\n        <LastPgInd>true</LastPgInd>\n      </MsgPgntn>\n' +
    '    </GrpHdr>\n';
  return generate(path, minBytes, seed, { header, render: camtStatement, footer: '  </BkToCstmrStmt>\n</Document>\n' });
}

function camtStatement(statement: DayStatement, index: number): string {
  const { account, date, openingCents, closingCents, payments } = statement;
  const credits = payments.filter((p) => p.amountCents >= 0);
  const debits = payments.filter((p) => p.amountCents < 0);
  const sum = (list: Payment[]) => list.reduce((total, p) => total + Math.abs(p.amountCents), 0);
  const net = closingCents - openingCents;
  const out = [
    '    <Stmt>',
    `      <Id>${date.replace(/-/g, '')}-${account.iban}-${index + 1}</Id>`,
    `      <ElctrncSeqNb>${account.statementNumber}</ElctrncSeqNb>`,
    `      <CreDtTm>${date}T23:58:02.117</CreDtTm>`,
    `      <FrToDt><FrDtTm>${date}T00:00:00</FrDtTm><ToDtTm>${date}T23:59:59</ToDtTm></FrToDt>`,
    '      <Acct>',
    `        <Id><IBAN>${account.iban}</IBAN></Id>`,
    '        <Ccy>EUR</Ccy>',
    `        <Ownr><Nm>${xml(account.owner)}</Nm></Ownr>`,
    `        <Svcr><FinInstnId><BIC>${account.bic}</BIC></FinInstnId></Svcr>`,
    '      </Acct>',
    camtBalance('OPBD', openingCents, date),
    camtBalance('CLBD', closingCents, date),
    '      <TxsSummry>',
    `        <TtlNtries><NbOfNtries>${payments.length}</NbOfNtries><Sum>${decimal(sum(payments))}</Sum>` +
      `<TtlNetNtryAmt>${decimal(Math.abs(net))}</TtlNetNtryAmt><CdtDbtInd>${indicator(net)}</CdtDbtInd></TtlNtries>`,
    `        <TtlCdtNtries>${numberAndSum(credits.length, sum(credits))}</TtlCdtNtries>`,
    `        <TtlDbtNtries>${numberAndSum(debits.length, sum(debits))}</TtlDbtNtries>`,
    '      </TxsSummry>',
  ];
  for (const payment of payments) out.push(camtEntry(payment, date, account.iban));
  out.push('    </Stmt>', '');
  return out.join('\n');
}

function numberAndSum(count: number, cents: number): string {
  return `<NbOfNtries>${count}</NbOfNtries><Sum>${decimal(cents)}</Sum>`;
}

function camtBalance(type: 'OPBD' | 'CLBD', cents: number, date: string): string {
  return (
    `      <Bal><Tp><CdOrPrtry><Cd>${type}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">${decimal(Math.abs(cents))}</Amt>` +
    `<CdtDbtInd>${indicator(cents)}</CdtDbtInd><Dt><Dt>${date}</Dt></Dt></Bal>`
  );
}

const FAMILY: Readonly<Record<Payment['kind'], [string, string, string]>> = {
  'invoice-paid-to-us': ['PMNT', 'RCDT', 'ESCT'],
  supplier: ['PMNT', 'ICDT', 'ESCT'],
  'direct-debit': ['PMNT', 'IDDT', 'ESDD'],
  card: ['PMNT', 'CCRD', 'POSD'],
  salaries: ['PMNT', 'ICDT', 'ESCT'],
  'bank-costs': ['ACMT', 'MDOP', 'CHRG'],
};

function camtEntry(payment: Payment, date: string, ownIban: string): string {
  const amount = `<Amt Ccy="EUR">${decimal(Math.abs(payment.amountCents))}</Amt>`;
  const [domain, family, subFamily] = FAMILY[payment.kind];
  const lines = [
    '      <Ntry>',
    `        ${amount}`,
    `        <CdtDbtInd>${indicator(payment.amountCents)}</CdtDbtInd>`,
    '        <Sts>BOOK</Sts>',
    `        <BookgDt><Dt>${date}</Dt></BookgDt>`,
    `        <ValDt><Dt>${date}</Dt></ValDt>`,
    `        <AcctSvcrRef>${payment.bankReference}</AcctSvcrRef>`,
    '        <BkTxCd>',
    `          <Domn><Cd>${domain}</Cd><Fmly><Cd>${family}</Cd><SubFmlyCd>${subFamily}</SubFmlyCd></Fmly></Domn>`,
    `          <Prtry><Cd>${ING_CODE[payment.kind]}</Cd><Issr>INGBANK</Issr></Prtry>`,
    '        </BkTxCd>',
    '        <NtryDtls>',
  ];
  if (payment.batchSize > 1) {
    lines.push(
      `          <Btch><PmtInfId>${payment.endToEndId}</PmtInfId><NbOfTxs>${payment.batchSize}</NbOfTxs>` +
        `<TtlAmt Ccy="EUR">${decimal(Math.abs(payment.amountCents))}</TtlAmt><CdtDbtInd>DBIT</CdtDbtInd></Btch>`,
    );
  }
  lines.push('          <TxDtls>', '            <Refs>');
  if (payment.batchSize > 1) lines.push(`              <PmtInfId>${payment.endToEndId}</PmtInfId>`);
  else lines.push(`              <EndToEndId>${payment.endToEndId}</EndToEndId>`);
  if (payment.mandateId !== null) lines.push(`              <MndtId>${payment.mandateId}</MndtId>`);
  lines.push('            </Refs>', `            <AmtDtls><TxAmt>${amount}</TxAmt></AmtDtls>`);
  const party = payment.counterparty;
  const credit = payment.amountCents >= 0;
  if (party !== null) {
    // The other side is the debtor of a credit and the creditor of a debit; the account holder is the other role.
    const other = credit ? 'Dbtr' : 'Cdtr';
    const own = credit ? 'Cdtr' : 'Dbtr';
    const otherParty = [`                <Nm>${xml(party.name)}</Nm>`];
    otherParty.push(`                <PstlAdr><Ctry>NL</Ctry><AdrLine>${xml(party.city)}</AdrLine></PstlAdr>`);
    if (payment.creditorId !== null) {
      otherParty.push(
        '                <Id><PrvtId><Othr>' +
          `<Id>${payment.creditorId}</Id><SchmeNm><Prtry>SEPA</Prtry></SchmeNm></Othr></PrvtId></Id>`,
      );
    }
    const parties = { [other]: otherParty, [`${other}Acct`]: party.iban, [`${own}Acct`]: ownIban };
    lines.push('            <RltdPties>');
    for (const role of ['Dbtr', 'DbtrAcct', 'Cdtr', 'CdtrAcct'] as const) {
      const value = parties[role];
      if (Array.isArray(value)) lines.push(`              <${role}>`, ...value, `              </${role}>`);
      else if (typeof value === 'string') lines.push(`              <${role}><Id><IBAN>${value}</IBAN></Id></${role}>`);
    }
    lines.push('            </RltdPties>');
    if (party.bic !== null) {
      const agent = credit ? 'DbtrAgt' : 'CdtrAgt';
      const institution = `<FinInstnId><BIC>${party.bic}</BIC></FinInstnId>`;
      lines.push(`            <RltdAgts><${agent}>${institution}</${agent}></RltdAgts>`);
    }
  }
  lines.push('            <RmtInf>', ...remittance(payment), '            </RmtInf>');
  lines.push('          </TxDtls>', '        </NtryDtls>');
  if (payment.kind === 'card') {
    lines.push(`        <AddtlNtryInf>${xml(cardInformation(payment.counterparty))}</AddtlNtryInf>`);
  }
  lines.push('      </Ntry>');
  return lines.join('\n');
}

function remittance(payment: Payment): string[] {
  if (!payment.structuredReference) return [`              <Ustrd>${xml(payment.remittance)}</Ustrd>`];
  return [
    '              <Strd><CdtrRefInf>',
    '                <Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>CUR</Issr></Tp>',
    `                <Ref>${payment.remittance}</Ref>`,
    '              </CdtrRefInf></Strd>',
  ];
}

function cardInformation(shop: Party | null): string {
  return `BEA, Betaalpas ${shop?.name ?? ''}, ${shop?.city ?? ''}`;
}

function indicator(cents: number): 'CRDT' | 'DBIT' {
  return cents < 0 ? 'DBIT' : 'CRDT';
}

function decimal(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
