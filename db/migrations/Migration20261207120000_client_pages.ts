import { Migration } from '@mikro-orm/migrations';

export class Migration20261207120000_client_pages extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "organization" add column "terms_url" varchar(500) null, add column "privacy_url" varchar(500) null;`,
    );
    this.addSql(`alter table "serial_number" add column "wrong_kvk_hashes" text[] not null default '{}';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "serial_number" drop column "wrong_kvk_hashes";`);
    this.addSql(`alter table "organization" drop column "terms_url", drop column "privacy_url";`);
  }
}
