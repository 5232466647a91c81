import { Migration } from '@mikro-orm/migrations';

export class Migration20261126162233_onboarding extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "onboarding" ("id" uuid not null, "organization_id" uuid not null, "flavour" text check ("flavour" in ('activation-link', 'serial')) not null, "bank_code" varchar(4) not null, "environment_id" uuid not null, "kvk_number" varchar(8) not null, "client_email" varchar(320) not null, "language" varchar(2) not null, "client_company_id" uuid null, "account_manager_name" varchar(200) null, "account_manager_email" varchar(320) null, "bank_account_ids" jsonb not null, "status" text check ("status" in ('preparing', 'rejected', 'waiting_for_consent', 'consent_in_progress', 'syncing_profile', 'waiting_for_first_transaction', 'active', 'active_awaiting_first_transaction', 'consent_refused', 'expired', 'cancelled')) not null, "status_reason" varchar(1000) null, "workflow_id" varchar(100) not null, "connection_id" uuid null, "consent_deadline" timestamptz null, "first_transaction_deadline" timestamptz null, "restart_of" uuid null, "created_by" varchar(200) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "completed_at" timestamptz null, constraint "onboarding_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "onboarding_organization_id_status_index" on "onboarding" ("organization_id", "status");`,
    );
    this.addSql(
      `create index "onboarding_organization_id_kvk_number_index" on "onboarding" ("organization_id", "kvk_number");`,
    );

    this.addSql(
      `create table "consent_attempt" ("id" uuid not null, "organization_id" uuid not null, "onboarding_id" uuid not null, "bank_code" varchar(4) not null, "bank_consent_id" varchar(200) not null, "state_hash" varchar(64) not null, "state_encrypted" text not null, "code_verifier_encrypted" text not null, "code_encrypted" text null, "error" varchar(1000) null, "redirect_uri" varchar(500) not null, "created_at" timestamptz not null, "returned_at" timestamptz null, constraint "consent_attempt_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "consent_attempt" add constraint "consent_attempt_state_hash_unique" unique ("state_hash");`,
    );

    this.addSql(
      `create table "activation_link" ("id" uuid not null, "organization_id" uuid not null, "onboarding_id" uuid not null, "token_hash" varchar(64) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "revoked_at" timestamptz null, "created_at" timestamptz not null, constraint "activation_link_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "activation_link" add constraint "activation_link_token_hash_unique" unique ("token_hash");`,
    );

    this.addSql(
      `alter table "onboarding" add constraint "onboarding_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "onboarding" add constraint "onboarding_environment_id_foreign" foreign key ("environment_id") references "environment" ("id") on update cascade on delete restrict;`,
    );
    this.addSql(
      `alter table "onboarding" add constraint "onboarding_client_company_id_foreign" foreign key ("client_company_id") references "client_company" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "onboarding" add constraint "onboarding_connection_id_foreign" foreign key ("connection_id") references "connection" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "consent_attempt" add constraint "consent_attempt_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "consent_attempt" add constraint "consent_attempt_onboarding_id_foreign" foreign key ("onboarding_id") references "onboarding" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "activation_link" add constraint "activation_link_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "activation_link" add constraint "activation_link_onboarding_id_foreign" foreign key ("onboarding_id") references "onboarding" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "consent_attempt" drop constraint "consent_attempt_onboarding_id_foreign";`);

    this.addSql(`alter table "activation_link" drop constraint "activation_link_onboarding_id_foreign";`);

    this.addSql(`drop table if exists "onboarding" cascade;`);

    this.addSql(`drop table if exists "consent_attempt" cascade;`);

    this.addSql(`drop table if exists "activation_link" cascade;`);
  }
}
