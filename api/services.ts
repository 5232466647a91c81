import type { Client } from '@temporalio/client';
import type { MikroORM } from '@mikro-orm/postgresql';

/** What the API needs from the outside world; built in bin/ and handed in, so tests can build their own. */
export interface ApiServices {
  orm: MikroORM;
  temporal: Client;
  taskQueue: string;
  /** Base URL of the Temporal UI, for links support can click. */
  temporalUiUrl: string;
  namespace: string;
}
