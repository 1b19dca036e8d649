// The seed's feature flags (§4) select which migrations apply: each flag that is on is a core context.
export const FEATURE_FLAGS = ['LABLET_ENABLED', 'SCHEDULER_ENABLED', 'CONTROLLER_ENABLED'] as const;
export type FeatureFlag = (typeof FEATURE_FLAGS)[number];

export type FeatureFlags = Partial<Record<FeatureFlag, boolean | string | undefined>>;

function on(value: boolean | string | undefined): boolean {
  if (typeof value === 'boolean') return value;
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}

/** The contexts for a set of flags (booleans, or env strings like "true"/"1"); unset flags are off, as in the seed. */
export function contextsFromFlags(flags: FeatureFlags | NodeJS.ProcessEnv): FeatureFlag[] {
  return FEATURE_FLAGS.filter((f) => on((flags as FeatureFlags)[f]));
}
