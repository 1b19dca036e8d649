import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { backends, openDatabase } from './test/backends.js';

describe.each(backends)('handshake and server commands on $name', (backend) => {
  let env: Awaited<ReturnType<typeof openDatabase>>;
  beforeAll(async () => {
    env = await openDatabase(backend);
  });
  afterAll(async () => {
    await env.dispose();
  });

  test('hello reports a writable replica-set primary with sessions', async () => {
    const hello = await env.client.db('admin').command({ hello: 1 });
    expect(hello.isWritablePrimary).toBe(true);
    expect(typeof hello.setName).toBe('string');
    expect(hello.hosts).toEqual(expect.arrayContaining([expect.any(String)]));
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(17);
    expect(hello.logicalSessionTimeoutMinutes).toBeGreaterThan(0);
    expect(hello.compression).toBeUndefined();
  });

  test('legacy isMaster, ping, buildInfo, getParameter', async () => {
    const admin = env.client.db('admin');
    const legacy = await admin.command({ isMaster: 1 });
    expect(legacy.ismaster).toBe(true);
    expect(await admin.command({ ping: 1 })).toMatchObject({ ok: 1 });
    const info = await admin.command({ buildInfo: 1 });
    expect(info.version).toMatch(/^\d+\.\d+/);
    expect(info.versionArray).toHaveLength(4);
    const fcv = await admin.command({ getParameter: 1, featureCompatibilityVersion: 1 });
    expect(fcv.featureCompatibilityVersion.version).toMatch(/^\d+\.\d+$/);
  });

  test('an unknown command fails with CommandNotFound (59)', async () => {
    await expect(env.db.command({ noSuchCommandHere: 1 })).rejects.toMatchObject({
      code: 59,
      codeName: 'CommandNotFound',
    });
  });

  test('replies carry operationTime and $clusterTime', async () => {
    const reply = await env.db.command({ ping: 1 });
    expect(reply.operationTime).toBeDefined();
    expect(reply.$clusterTime?.clusterTime).toBeDefined();
  });
});
