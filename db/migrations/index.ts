import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261126154832_foundation } from './Migration20261126154832_foundation';
import { Migration20261126160315_transactions } from './Migration20261126160315_transactions';
import { Migration20261126161101_outbox } from './Migration20261126161101_outbox';
import { Migration20261126162233_onboarding } from './Migration20261126162233_onboarding';
import { Migration20261126165108_message_templates } from './Migration20261126165108_message_templates';
import { Migration20261126171219_serial_numbers } from './Migration20261126171219_serial_numbers';
import { Migration20261126202155_wizard } from './Migration20261126202155_wizard';
import { Migration20261207010000_bank_call_counts } from './Migration20261207010000_bank_call_counts';
import { Migration20261207120000_client_pages } from './Migration20261207120000_client_pages';
import { Migration20261207150000_attempt_browser_binding } from './Migration20261207150000_attempt_browser_binding';
import { Migration20261207160000_api_key_expiry } from './Migration20261207160000_api_key_expiry';
import { Migration20261207170000_onboarding_workflow_started } from './Migration20261207170000_onboarding_workflow_started';

/** Every migration in order. `npm run migration:create` writes a new file; add it here. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261126154832_foundation', class: Migration20261126154832_foundation },
  { name: 'Migration20261126160315_transactions', class: Migration20261126160315_transactions },
  { name: 'Migration20261126161101_outbox', class: Migration20261126161101_outbox },
  { name: 'Migration20261126162233_onboarding', class: Migration20261126162233_onboarding },
  { name: 'Migration20261126165108_message_templates', class: Migration20261126165108_message_templates },
  { name: 'Migration20261126171219_serial_numbers', class: Migration20261126171219_serial_numbers },
  { name: 'Migration20261126202155_wizard', class: Migration20261126202155_wizard },
  { name: 'Migration20261207010000_bank_call_counts', class: Migration20261207010000_bank_call_counts },
  { name: 'Migration20261207120000_client_pages', class: Migration20261207120000_client_pages },
  { name: 'Migration20261207150000_attempt_browser_binding', class: Migration20261207150000_attempt_browser_binding },
  { name: 'Migration20261207160000_api_key_expiry', class: Migration20261207160000_api_key_expiry },
  {
    name: 'Migration20261207170000_onboarding_workflow_started',
    class: Migration20261207170000_onboarding_workflow_started,
  },
];
