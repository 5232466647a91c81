export * from './organization';
export * from './api-key';
export * from './environment';
export * from './bank-journal';
export * from './bank-account';
export * from './client-company';
export * from './audit-event';

import { ApiKey } from './api-key';
import { AuditEvent } from './audit-event';
import { BankAccount } from './bank-account';
import { BankJournal } from './bank-journal';
import { ClientCompany } from './client-company';
import { Environment } from './environment';
import { Organization } from './organization';

export const entities = [Organization, ApiKey, Environment, BankJournal, BankAccount, ClientCompany, AuditEvent];
