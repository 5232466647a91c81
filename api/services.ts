import type { Client } from '@temporalio/client';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { KvkClient } from '../kvk/client';
import type { BankConnector } from '../banks/connector';
import type { TokenCipher } from '../db/token-cipher';

/** What the API needs from the outside world; built in bin/ and handed in, so tests can build their own. */
export interface ApiServices {
  orm: MikroORM;
  temporal: Client;
  taskQueue: string;
  /** Base URL of the Temporal UI, for links support can click. */
  temporalUiUrl: string;
  namespace: string;
  /** Client pages build the bank's authorization URL from the stored (encrypted) state and PKCE verifier. */
  tokenCipher: TokenCipher;
  /** Seals the client pages' cookies (wizard session, form flash, way back), under a key of their own. */
  cookieCipher: TokenCipher;
  bankConnector: (bankCode: string) => BankConnector;
  publicBaseUrl: string;
  /** The wizard fills the company name in from the KvK number (R-V3, R-V9). */
  kvk: KvkClient;
}
