import { Migration } from '@mikro-orm/migrations';

export class Migration20261207150000_attempt_browser_binding extends Migration {
  override async up(): Promise<void> {
    // Attempts started before this have no binding: their callbacks are refused and the client starts again.
    this.addSql(`alter table "consent_attempt" add column "browser_hash" varchar(64) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "consent_attempt" drop column "browser_hash";`);
  }
}
