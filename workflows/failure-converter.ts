import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces name IBANs, e-mail addresses and KvK numbers as often as payloads do: moved
 * into an encoded attributes payload, they pass through the payload codec like any other (bin/stack/payload-codec.ts).
 * Loaded by path (bin/stack/data-converter.ts), so the workflow bundle and every client use this same instance.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
