import { Migration } from '@mikro-orm/migrations';

export class Migration20261126154832_foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "organization" ("id" uuid not null, "name" varchar(200) not null, "created_at" timestamptz not null, constraint "organization_pkey" primary key ("id"));`,
    );

    this.addSql(
      `create table "environment" ("id" uuid not null, "organization_id" uuid not null, "name" varchar(200) not null, "kind" text check ("kind" in ('main', 'sub')) not null, "parent_id" uuid null, "created_at" timestamptz not null, constraint "environment_pkey" primary key ("id"));`,
    );

    this.addSql(
      `create table "client_company" ("id" uuid not null, "organization_id" uuid not null, "kvk_number" varchar(8) not null, "name" varchar(200) not null, "created_at" timestamptz not null, constraint "client_company_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "client_company" add constraint "client_company_organization_id_kvk_number_unique" unique ("organization_id", "kvk_number");`,
    );

    this.addSql(
      `create table "bank_journal" ("id" uuid not null, "organization_id" uuid not null, "environment_id" uuid not null, "code" varchar(20) not null, "name" varchar(200) not null, "created_at" timestamptz not null, constraint "bank_journal_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "bank_journal" add constraint "bank_journal_environment_id_code_unique" unique ("environment_id", "code");`,
    );

    this.addSql(
      `create table "bank_account" ("id" uuid not null, "organization_id" uuid not null, "environment_id" uuid not null, "journal_id" uuid null, "name" varchar(200) not null, "type" text check ("type" in ('current', 'savings', 'cash')) not null, "iban" varchar(34) null, "currency" varchar(3) not null, "ledger_account" varchar(20) not null, "last_check" jsonb null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "bank_account_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "bank_account" add constraint "bank_account_environment_id_iban_unique" unique ("environment_id", "iban");`,
    );

    this.addSql(
      `create table "audit_event" ("id" uuid not null, "organization_id" uuid not null, "actor" varchar(200) not null, "action" varchar(100) not null, "subject_type" varchar(100) not null, "subject_id" varchar(100) not null, "details" jsonb null, "at" timestamptz not null, constraint "audit_event_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "audit_event_organization_id_at_index" on "audit_event" ("organization_id", "at");`);

    this.addSql(
      `create table "api_key" ("id" uuid not null, "organization_id" uuid not null, "name" varchar(200) not null, "role" text check ("role" in ('admin', 'staff', 'support')) not null, "prefix" varchar(16) not null, "secret_hash" varchar(64) not null, "created_at" timestamptz not null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, constraint "api_key_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "api_key_prefix_index" on "api_key" ("prefix");`);
    this.addSql(`alter table "api_key" add constraint "api_key_secret_hash_unique" unique ("secret_hash");`);

    this.addSql(
      `alter table "environment" add constraint "environment_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "environment" add constraint "environment_parent_id_foreign" foreign key ("parent_id") references "environment" ("id") on update cascade on delete restrict;`,
    );

    this.addSql(
      `alter table "client_company" add constraint "client_company_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "bank_journal" add constraint "bank_journal_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "bank_journal" add constraint "bank_journal_environment_id_foreign" foreign key ("environment_id") references "environment" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "bank_account" add constraint "bank_account_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "bank_account" add constraint "bank_account_environment_id_foreign" foreign key ("environment_id") references "environment" ("id") on update cascade on delete restrict;`,
    );
    this.addSql(
      `alter table "bank_account" add constraint "bank_account_journal_id_foreign" foreign key ("journal_id") references "bank_journal" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "audit_event" add constraint "audit_event_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "api_key" add constraint "api_key_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );
  }
}
