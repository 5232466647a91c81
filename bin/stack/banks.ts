import type { BankConnector } from '../../banks/connector';
import {
  bankEndpointsFromEnv,
  createConnectorFor,
  type BankCode,
  type BankEndpointsConfig,
} from '../../banks/registry';
import type { Config } from '../config';

/**
 * Banks come from BANK_<CODE>_URL when any is set (production); otherwise all three banks are the sandbox bank.
 */
export function bankConnectorFactory(config: Config): (bankCode: string) => BankConnector {
  const endpoints = bankEndpointsFromEnv();
  const banks: BankEndpointsConfig = Object.keys(endpoints).length
    ? { endpoints }
    : { sandboxBankUrl: config.sandboxBankUrl };
  return (bankCode) => createConnectorFor(bankCode as BankCode, banks);
}
