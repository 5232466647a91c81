import { Migration } from '@mikro-orm/migrations';

export class Migration20261207170000_onboarding_workflow_started extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "onboarding" add column "workflow_started_at" timestamptz null;`);
    // Every onboarding before this column was started in the same request that created it.
    this.addSql(`update "onboarding" set "workflow_started_at" = "created_at";`);
    this.addSql(
      `create index "onboarding_workflow_start_pending_index" on "onboarding" ("created_at") ` +
        `where "workflow_started_at" is null and "status" = 'preparing';`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "onboarding_workflow_start_pending_index";`);
    this.addSql(`alter table "onboarding" drop column "workflow_started_at";`);
  }
}
