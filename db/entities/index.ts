export * from './organization';
export * from './api-key';
export * from './environment';
export * from './bank-journal';
export * from './bank-account';
export * from './client-company';
export * from './audit-event';
export * from './consent';
export * from './connection';
export * from './connected-account';
export * from './daily-statement';
export * from './transaction';
export * from './transaction-code-rule';
export * from './email-message';
export * from './onboarding';
export * from './activation-link';
export * from './consent-attempt';
export * from './message-template';
export * from './serial-number';
export * from './bank-call-count';

import { ApiKey } from './api-key';
import { AuditEvent } from './audit-event';
import { BankAccount } from './bank-account';
import { BankJournal } from './bank-journal';
import { ClientCompany } from './client-company';
import { Environment } from './environment';
import { Organization } from './organization';
import { Consent } from './consent';
import { Connection } from './connection';
import { ConnectedAccount } from './connected-account';
import { DailyStatement } from './daily-statement';
import { Transaction } from './transaction';
import { TransactionCodeRule } from './transaction-code-rule';
import { EmailMessage } from './email-message';
import { Onboarding } from './onboarding';
import { ActivationLink } from './activation-link';
import { ConsentAttempt } from './consent-attempt';
import { MessageTemplate } from './message-template';
import { SerialNumber } from './serial-number';
import { BankCallCount } from './bank-call-count';

export const entities = [
  Organization,
  ApiKey,
  Environment,
  BankJournal,
  BankAccount,
  ClientCompany,
  AuditEvent,
  Consent,
  Connection,
  ConnectedAccount,
  DailyStatement,
  Transaction,
  TransactionCodeRule,
  EmailMessage,
  Onboarding,
  ActivationLink,
  ConsentAttempt,
  MessageTemplate,
  SerialNumber,
  BankCallCount,
];
