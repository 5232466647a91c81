/** Environments are administrations; a sub environment belongs to a main one (R-A8). */
export const ENVIRONMENT_KINDS = ['main', 'sub'] as const;
export type EnvironmentKind = (typeof ENVIRONMENT_KINDS)[number];

export interface EnvironmentRef {
  id: string;
  kind: EnvironmentKind;
  parentId: string | null;
}

/**
 * The communication environment of a sync profile (R-A8): "current environment" on a main environment, and the
 * main environment for each of its subs. Bank traffic always runs through the main environment.
 */
export function communicationEnvironmentId(environment: EnvironmentRef): string {
  if (environment.kind === 'main') return environment.id;
  if (!environment.parentId) throw new Error(`sub environment ${environment.id} has no main environment`);
  return environment.parentId;
}

/** Why an environment cannot be created this way, or null. Subs hang directly under a main (one level). */
export function environmentShapeProblem(kind: EnvironmentKind, parent: EnvironmentRef | null): string | null {
  if (kind === 'main' && parent) return 'a main environment has no parent';
  if (kind === 'sub' && !parent) return 'a sub environment needs a parentId of a main environment';
  if (kind === 'sub' && parent && parent.kind !== 'main')
    return 'the parent of a sub environment must be a main environment';
  return null;
}
