import { Migration } from '@mikro-orm/migrations';

export class Migration20261126160315_transactions extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "consent" ("id" uuid not null, "organization_id" uuid not null, "bank_code" varchar(4) not null, "bank_consent_id" varchar(200) not null, "status" text check ("status" in ('received', 'valid', 'rejected', 'expired', 'revokedByPsu', 'terminatedByTpp')) not null, "valid_until" date null, "frequency_per_day" int not null, "access_token_encrypted" text null, "refresh_token_encrypted" text null, "token_expires_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "consent_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "consent" add constraint "consent_bank_code_bank_consent_id_unique" unique ("bank_code", "bank_consent_id");`,
    );

    this.addSql(
      `create table "connection" ("id" uuid not null, "organization_id" uuid not null, "communication_environment_id" uuid not null, "client_company_id" uuid null, "bank_code" varchar(4) not null, "bank_agreement" varchar(100) not null, "consent_id" uuid null, "state" text check ("state" in ('pending_consent', 'active', 'consent_invalid')) not null, "sync_profile_blocked" boolean not null default false, "fetches_per_day" int not null, "state_reason" varchar(500) null, "last_fetch_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "connection_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "connection" add constraint "connection_communication_environment_id_bank_code_aab27_unique" unique ("communication_environment_id", "bank_code", "bank_agreement");`,
    );

    this.addSql(
      `create table "daily_statement" ("id" uuid not null, "organization_id" uuid not null, "bank_account_id" uuid not null, "date" date not null, "status" text check ("status" in ('in_progress', 'processed')) not null, "transaction_count" int not null default 0, "sum_cents" bigint not null default 0, "opening_balance_cents" bigint null, "closing_balance_cents" bigint null, "processed_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "daily_statement_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "daily_statement" add constraint "daily_statement_bank_account_id_date_unique" unique ("bank_account_id", "date");`,
    );

    this.addSql(
      `create table "connected_account" ("id" uuid not null, "organization_id" uuid not null, "connection_id" uuid not null, "bank_account_id" uuid not null, "environment_id" uuid not null, "iban" varchar(34) not null, "currency" varchar(3) not null, "import_transactions" boolean not null default true, "payments" boolean not null default false, "direct_debit" boolean not null default false, "blocked" boolean not null default false, "statement_import_enabled" boolean not null default false, "switch_over_date" date not null, "first_transaction_at" timestamptz null, "last_fetch_at" timestamptz null, "last_fetch_result" jsonb null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "connected_account_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "connected_account" add constraint "connected_account_connection_id_iban_unique" unique ("connection_id", "iban");`,
    );

    this.addSql(
      `create table "transaction_code_rule" ("id" uuid not null, "organization_id" uuid not null, "code" varchar(40) not null, "description" varchar(200) not null, "bank_transaction_code" varchar(60) null, "counterparty_iban" varchar(34) null, "description_contains" varchar(140) null, "ledger_account" varchar(20) not null, "priority" int not null default 100, "created_at" timestamptz not null, constraint "transaction_code_rule_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "transaction_code_rule" add constraint "transaction_code_rule_organization_id_code_unique" unique ("organization_id", "code");`,
    );

    this.addSql(
      `create table "bank_transaction" ("id" uuid not null, "organization_id" uuid not null, "bank_account_id" uuid not null, "daily_statement_id" uuid not null, "dedupe_key" varchar(120) not null, "fingerprint" varchar(32) not null, "occurrence" int not null, "source" text check ("source" in ('api', 'file')) not null, "booking_date" date not null, "value_date" date not null, "amount_cents" bigint not null, "currency" varchar(3) not null, "counterparty_iban" varchar(34) null, "counterparty_name" varchar(140) null, "description" text not null, "end_to_end_id" varchar(140) null, "bank_reference" varchar(140) null, "bank_transaction_code" varchar(60) null, "ledger_account" varchar(20) null, "booked_by" text check ("booked_by" in ('rule', 'hand')) null, "rule_id" uuid null, "imported_at" timestamptz not null, constraint "bank_transaction_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "bank_transaction_bank_account_id_booking_date_fingerprint_index" on "bank_transaction" ("bank_account_id", "booking_date", "fingerprint");`,
    );
    this.addSql(
      `create index "bank_transaction_daily_statement_id_index" on "bank_transaction" ("daily_statement_id");`,
    );
    this.addSql(
      `alter table "bank_transaction" add constraint "bank_transaction_bank_account_id_dedupe_key_unique" unique ("bank_account_id", "dedupe_key");`,
    );

    this.addSql(
      `alter table "consent" add constraint "consent_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "connection" add constraint "connection_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "connection" add constraint "connection_communication_environment_id_foreign" foreign key ("communication_environment_id") references "environment" ("id") on update cascade on delete restrict;`,
    );
    this.addSql(
      `alter table "connection" add constraint "connection_client_company_id_foreign" foreign key ("client_company_id") references "client_company" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "connection" add constraint "connection_consent_id_foreign" foreign key ("consent_id") references "consent" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "daily_statement" add constraint "daily_statement_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "daily_statement" add constraint "daily_statement_bank_account_id_foreign" foreign key ("bank_account_id") references "bank_account" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "connected_account" add constraint "connected_account_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "connected_account" add constraint "connected_account_connection_id_foreign" foreign key ("connection_id") references "connection" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "connected_account" add constraint "connected_account_bank_account_id_foreign" foreign key ("bank_account_id") references "bank_account" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "connected_account" add constraint "connected_account_environment_id_foreign" foreign key ("environment_id") references "environment" ("id") on update cascade on delete restrict;`,
    );

    this.addSql(
      `alter table "transaction_code_rule" add constraint "transaction_code_rule_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "bank_transaction" add constraint "bank_transaction_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "bank_transaction" add constraint "bank_transaction_bank_account_id_foreign" foreign key ("bank_account_id") references "bank_account" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "bank_transaction" add constraint "bank_transaction_daily_statement_id_foreign" foreign key ("daily_statement_id") references "daily_statement" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "bank_transaction" add constraint "bank_transaction_rule_id_foreign" foreign key ("rule_id") references "transaction_code_rule" ("id") on update cascade on delete set null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "connection" drop constraint "connection_consent_id_foreign";`);

    this.addSql(`alter table "connected_account" drop constraint "connected_account_connection_id_foreign";`);

    this.addSql(`alter table "bank_transaction" drop constraint "bank_transaction_daily_statement_id_foreign";`);

    this.addSql(`alter table "bank_transaction" drop constraint "bank_transaction_rule_id_foreign";`);

    this.addSql(`drop table if exists "consent" cascade;`);

    this.addSql(`drop table if exists "connection" cascade;`);

    this.addSql(`drop table if exists "daily_statement" cascade;`);

    this.addSql(`drop table if exists "connected_account" cascade;`);

    this.addSql(`drop table if exists "transaction_code_rule" cascade;`);

    this.addSql(`drop table if exists "bank_transaction" cascade;`);
  }
}
