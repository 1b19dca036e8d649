// Named exports a migration fixture calls: under CommonJS these become `(0, helper_js_1.fmt)(...)` / `_helper.fmt`.
export const PREFIX = 'tm';

export function fmt(value: unknown): string {
  return `${PREFIX}:${String(value)}`;
}

export async function pause(): Promise<void> {
  await Promise.resolve();
}
