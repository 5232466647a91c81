import { Migration } from '@mikro-orm/migrations';

export class Migration20261126161101_outbox extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "email_message" ("id" uuid not null, "organization_id" uuid not null, "idempotency_key" varchar(200) not null, "template" varchar(100) not null, "to" varchar(320) not null, "subject" varchar(300) not null, "text" text not null, "html" text null, "message_id" varchar(300) not null, "status" text check ("status" in ('pending', 'sent')) not null, "attempts" int not null default 0, "last_error" varchar(1000) null, "sent_at" timestamptz null, "created_at" timestamptz not null, constraint "email_message_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "email_message" add constraint "email_message_idempotency_key_unique" unique ("idempotency_key");`,
    );

    this.addSql(
      `alter table "email_message" add constraint "email_message_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(`alter table "organization" add column "staff_email" varchar(320) null;`);

    this.addSql(
      `alter table "connection" add column "account_manager_name" varchar(200) null, add column "account_manager_email" varchar(320) null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "email_message" cascade;`);

    this.addSql(`alter table "connection" drop column "account_manager_name", drop column "account_manager_email";`);

    this.addSql(`alter table "organization" drop column "staff_email";`);
  }
}
