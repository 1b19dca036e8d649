import { generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateSheet, serviceAccountAuth, sheetsTarget } from './index.js';
import { newTarget, seedSheet, startEmulator, testAuth } from './test/harness.js';
import { v21Values } from './test/sample.js';

const env = startEmulator();
afterAll(() => env.close());
const { emulator } = env;

const fresh = () =>
  seedSheet(emulator, [{ title: 'Operaciones', values: v21Values(6), columnCount: 65, rowCount: 10 }]);

function recordingTarget(id: string, maxDelayMs = 5_000) {
  const waits: number[] = [];
  const target = sheetsTarget({
    spreadsheetId: id,
    auth: testAuth(),
    retry: { retries: 6, baseDelayMs: 100, maxDelayMs },
    sleep: async (ms) => void waits.push(ms),
  });
  return { target, waits };
}

describe('retries with exponential backoff and jitter', () => {
  it('a transient 503 is retried and counted; the result is the same', async () => {
    const id = fresh();
    emulator.failRequest(emulator.count + 4, 503);
    const { target, waits } = recordingTarget(id);
    const result = await migrateSheet(target);
    expect(result.report?.success).toBe(true);
    expect(result.stats.retries).toBe(1);
    // 15, plus the 3 reads of core's lock-free plan that tells a start with work from a no-op one
    expect(result.stats.requests).toBe(19);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeLessThanOrEqual(100);
  });

  it('429 with Retry-After: waits at least what the server asked', async () => {
    const id = fresh();
    emulator.failRequest(emulator.count + 6, 429, 2);
    const { target, waits } = recordingTarget(id);
    const result = await migrateSheet(target);
    expect(result.report?.success).toBe(true);
    expect(waits).toEqual([2000]);
    expect(emulator.requests.some((r) => r.status === 429)).toBe(true);
  });

  it('consecutive failures back off exponentially (full jitter under a doubling cap)', async () => {
    const id = fresh();
    const at = emulator.count + 3;
    for (let i = 0; i < 4; i++) emulator.failRequest(at + i, i % 2 ? 502 : 503);
    const { target, waits } = recordingTarget(id);
    const result = await migrateSheet(target);
    expect(result.stats.retries).toBe(4);
    waits.forEach((w, i) => {
      expect(w).toBeGreaterThanOrEqual(0);
      expect(w).toBeLessThanOrEqual(100 * 2 ** i);
    });
  });

  it('per-window quota exhaustion (429 RESOURCE_EXHAUSTED + Retry-After) is ridden out', async () => {
    const id = fresh();
    emulator.setQuota({ writesPerWindow: 2, readsPerWindow: 2, windowMs: 300 });
    try {
      // real sleeps, capped at 350 ms: the emulator's 300 ms window then has room again
      const target = sheetsTarget({
        spreadsheetId: id,
        auth: testAuth(),
        retry: { retries: 10, baseDelayMs: 10, maxDelayMs: 350 },
      });
      const from = emulator.requests.length;
      const result = await migrateSheet(target);
      expect(result.report?.success).toBe(true);
      const throttled = emulator.requests.slice(from).filter((r) => r.status === 429);
      expect(throttled.length).toBeGreaterThan(0);
      expect(result.stats.retries).toBe(throttled.length);
      expect(result.stats.requests).toBe(18 + throttled.length);
    } finally {
      emulator.setQuota(null);
    }
  });

  it("a permanent error (403) is not retried and is reported with Google's status", async () => {
    const id = fresh();
    emulator.failRequest(emulator.count + 1, 403);
    const { target, waits } = recordingTarget(id);
    await expect(migrateSheet(target)).rejects.toThrow(/sheets\.get failed: 403 PERMISSION_DENIED/);
    expect(waits).toEqual([]);
  });
});

describe('credentials', () => {
  it('a service account signs a JWT, gets a token from the token endpoint, and migrates', async () => {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const auth = await serviceAccountAuth({
      credentials: { client_email: 'tidemark@zeues.iam.gserviceaccount.com', private_key: privateKey },
    });
    const id = fresh();
    const target = sheetsTarget({ spreadsheetId: id, auth, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
    const result = await migrateSheet(target);
    expect(result.report?.success).toBe(true);
  });

  it('without credentials the API answers 401 UNAUTHENTICATED, named in the error', async () => {
    const id = fresh();
    const { OAuth2Client } = await import('google-auth-library');
    const auth = new OAuth2Client();
    auth.setCredentials({ access_token: 'wrong-token', expiry_date: Date.now() + 3_600_000 });
    await expect(migrateSheet(sheetsTarget({ spreadsheetId: id, auth }))).rejects.toThrow(/401 UNAUTHENTICATED/);
  });

  it('tokens never reach error messages', async () => {
    await expect(migrateSheet(newTarget('missing-sheet-id'))).rejects.toThrow(/^(?!.*test-access-token)/s);
  });
});
