import { Migration } from '@mikro-orm/migrations';

export class Migration20261126165108_message_templates extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "message_template" ("id" uuid not null, "organization_id" uuid not null, "kind" text check ("kind" in ('bank-activation')) not null, "language" varchar(2) not null, "subject" varchar(200) not null, "body" text not null, "updated_by" varchar(200) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "message_template_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "message_template" add constraint "message_template_organization_id_kind_language_unique" unique ("organization_id", "kind", "language");`,
    );

    this.addSql(
      `alter table "message_template" add constraint "message_template_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "message_template" cascade;`);
  }
}
