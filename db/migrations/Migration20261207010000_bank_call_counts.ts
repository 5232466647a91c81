import { Migration } from '@mikro-orm/migrations';

export class Migration20261207010000_bank_call_counts extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "bank_call_count" ("consent_id" uuid not null, "day" date not null, "call" varchar(60) not null, "made" int not null, constraint "bank_call_count_pkey" primary key ("consent_id", "day", "call"));`,
    );
    this.addSql(
      `alter table "bank_call_count" add constraint "bank_call_count_consent_id_foreign" foreign key ("consent_id") references "consent" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(`alter table "connected_account" add column "bank_resource_id" varchar(200) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "bank_call_count" cascade;`);

    this.addSql(`alter table "connected_account" drop column "bank_resource_id";`);
  }
}
