import { Migration } from '@mikro-orm/migrations';

export class Migration20261126171219_serial_numbers extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "serial_number" ("id" uuid not null, "organization_id" uuid not null, "onboarding_id" uuid not null, "number_hash" varchar(64) not null, "number_encrypted" text not null, "expires_at" timestamptz not null, "failed_attempts" int not null default 0, "locked_at" timestamptz null, "used_at" timestamptz null, "revoked_at" timestamptz null, "created_at" timestamptz not null, constraint "serial_number_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "serial_number" add constraint "serial_number_number_hash_unique" unique ("number_hash");`,
    );
    this.addSql(`create index "serial_number_onboarding_id_index" on "serial_number" ("onboarding_id");`);

    this.addSql(
      `alter table "serial_number" add constraint "serial_number_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "serial_number" add constraint "serial_number_onboarding_id_foreign" foreign key ("onboarding_id") references "onboarding" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "serial_number" cascade;`);
  }
}
