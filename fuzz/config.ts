import type { SeededData } from './seed';
import type { SeededConnection } from './seed-connection';

/**
 * Schemathesis's configuration (schemathesis.toml): the seeded ids for the operations no link reaches, so they are
 * fuzzed on data that exists (their bodies and query still vary) instead of answering 404 every time.
 */
export function schemathesisConfig(seeded: SeededData, connection: SeededConnection): string {
  const operation = (name: string, parameters: Record<string, string>) =>
    [
      '[[operations]]',
      `include-name = ${JSON.stringify(name)}`,
      `parameters = { ${Object.entries(parameters)
        .map(([key, value]) => `${JSON.stringify(key)} = ${JSON.stringify(value)}`)
        .join(', ')} }`,
      '',
    ].join('\n');
  const statement = { 'path.id': seeded.accountId, 'path.date': seeded.statementDate };
  return [
    operation('GET /api/bank-accounts/{id}/statements/{date}', statement),
    operation('POST /api/bank-accounts/{id}/statements/{date}/process', statement),
    operation('PATCH /api/transactions/{id}', { 'path.id': seeded.transactionId }),
    operation('GET /api/connections/{id}', { 'path.id': connection.connectionId }),
    operation('PATCH /api/connections/{id}', { 'path.id': connection.connectionId }),
    operation('POST /api/connections/{id}/fetch-now', { 'path.id': connection.connectionId }),
    operation('PATCH /api/connections/{id}/accounts/{accountId}', {
      'path.id': connection.connectionId,
      'path.accountId': connection.accountId,
    }),
  ].join('\n');
}
