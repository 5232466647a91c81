import { Migration } from '@mikro-orm/migrations';

export class Migration20261126202155_wizard extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "onboarding" drop constraint if exists "onboarding_status_check";`);

    this.addSql(
      `alter table "organization" add column "licence_payments" boolean not null default false, add column "licence_direct_debit" boolean not null default false;`,
    );

    this.addSql(
      `alter table "onboarding" add column "wizard_details" jsonb null, add column "offered_accounts" jsonb null, add column "account_choice" jsonb null;`,
    );
    this.addSql(
      `alter table "onboarding" add constraint "onboarding_status_check" check("status" in ('preparing', 'rejected', 'waiting_for_consent', 'consent_in_progress', 'choosing_accounts', 'syncing_profile', 'waiting_for_first_transaction', 'active', 'active_awaiting_first_transaction', 'consent_refused', 'expired', 'cancelled'));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "onboarding" drop constraint if exists "onboarding_status_check";`);

    this.addSql(
      `alter table "onboarding" drop column "wizard_details", drop column "offered_accounts", drop column "account_choice";`,
    );

    this.addSql(
      `alter table "onboarding" add constraint "onboarding_status_check" check("status" in ('preparing', 'rejected', 'waiting_for_consent', 'consent_in_progress', 'syncing_profile', 'waiting_for_first_transaction', 'active', 'active_awaiting_first_transaction', 'consent_refused', 'expired', 'cancelled'));`,
    );

    this.addSql(`alter table "organization" drop column "licence_payments", drop column "licence_direct_debit";`);
  }
}
