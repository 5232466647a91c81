import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261126154832_foundation } from './Migration20261126154832_foundation';

/** Every migration in order. `npm run migration:create` writes a new file; add it here. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261126154832_foundation', class: Migration20261126154832_foundation },
];
