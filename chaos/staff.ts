import { setTimeout as sleep } from 'node:timers/promises';

export interface StaffAnswer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * The staff API as an accounting office's back office uses it (Bearer key, JSON). A network error answers status 0,
 * so callers decide what a failure means; `until` retries like a patient person through a restart of what the API
 * needs, and says what it last saw when it gives up.
 */
export class StaffApi {
  constructor(
    private readonly baseUrl: string,
    private readonly key: string,
    private readonly address: string,
  ) {}

  async call(method: string, path: string, body?: unknown): Promise<StaffAnswer> {
    try {
      const response = await fetch(`${this.baseUrl}/api${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.key}`,
          'x-forwarded-for': this.address,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await response.text();
      let parsed: Record<string, unknown> = {};
      try {
        parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        parsed = { text: text.slice(0, 300) };
      }
      return { status: response.status, body: parsed };
    } catch (error) {
      return { status: 0, body: { error: error instanceof Error ? error.message : String(error) } };
    }
  }

  /** Repeats a call while it answers 5xx, 429 or nothing, up to the deadline; answers the last answer. */
  async retrying(method: string, path: string, body: unknown, deadlineMs: number): Promise<StaffAnswer> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const answer = await this.call(method, path, body);
      if (!isTransient(answer.status) || Date.now() > deadline) return answer;
      await sleep(answer.status === 429 ? 5_000 : 2_000);
    }
  }
}

export function isTransient(status: number): boolean {
  return status === 0 || status === 429 || status >= 500;
}
