import { randomUUID } from 'node:crypto';

/**
 * Primary keys are UUIDs assigned on flush (`onCreate`), but an audit row written in the same unit of work needs
 * the id before that; assigning it here is what `onCreate` would have done.
 */
export function ensureId(entity: { id: string }): string {
  if (!entity.id) entity.id = randomUUID();
  return entity.id;
}
