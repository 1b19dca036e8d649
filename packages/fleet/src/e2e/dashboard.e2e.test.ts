// The dashboard in a real browser against a real Redis and a real worker: log in, run a migration and watch
// it complete live, restore it; the fleet page's screenshot is kept in test-results/fleet.png.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../dashboard/server.js';
import { startFleetWorker, type FleetWorker } from '../jobs/worker.js';
import { fleetKeys } from '../keys.js';
import { buildLegacyRun } from '@tidemark/plugin-run-dirs/testing';
import { fleetTestPlugin, runShape } from '../test/fleet-plugin.js';
import { deleteKeys, REDIS_URL, testNames, uniqueId } from '../test/redis.js';
import { launchChromium } from './browser.js';

const TOKEN = 'e2e-admin-token-0123456789';
const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-results');
const names = testNames();
const runA = uniqueId('rlew-a');
const others = [uniqueId('rlew-b'), uniqueId('rlew-c')];
let root: string;
let redis: Redis;
let dash: Dashboard;
let worker: FleetWorker;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tidemark-e2e-'));
  for (const id of [runA, ...others]) await buildLegacyRun(root, { runId: id, extras: [] });
  redis = new Redis(REDIS_URL);
  // A few hundred more runs in the index, so the page is seen with paging and facets as in production.
  const keys = fleetKeys(names);
  const pipe = redis.pipeline();
  for (let i = 0; i < 300; i++) {
    const id = `rlew-bulk-${String(i).padStart(4, '0')}`;
    pipe.hset(
      keys.runs,
      id,
      JSON.stringify({
        runId: id,
        dir: `/wc1/runs/rl/${id}`,
        config: i % 2 ? 'disturbed9002' : 'lt-fire',
        version: i % 3 ? 0 : 1000,
        readonly: i % 50 === 0,
        traits: i % 3 ? ['watershed-csv'] : [],
        archives: [],
        lastStatus: i % 3 ? null : 'migrated',
        updatedAt: new Date(1_700_000_000_000).toISOString(),
      }),
    );
  }
  await pipe.exec();
  worker = await startFleetWorker({
    ...names,
    redis: REDIS_URL,
    root,
    plugin: fleetTestPlugin({ stepMs: 600 }),
    lock: { ttlMs: 5000, waitMs: 10_000 },
    nodbLockTtlMs: 5000,
  });
  await worker.ready();
  dash = await startDashboard({ ...names, redis: REDIS_URL, adminToken: TOKEN, root });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('dialog', (d) => void d.accept());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await dash?.close();
  await worker?.close();
  await deleteKeys(redis, `${names.prefix}:*`);
  await redis?.quit();
  await rm(root, { recursive: true, force: true });
});

// expect.poll's default 1 s is too short for a loaded 2-core CI machine.
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 30_000, interval: 100 });
const row = (id: string) => page.locator(`tr[data-run="${id}"]`);

describe('dashboard in headless Chromium', () => {
  it('sends an anonymous visitor to the login page and lets the admin in', async () => {
    await page.goto(dash.url);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#token', 'wrong-token-000000');
    await page.click('button[type=submit]');
    await poll(() => page.locator('.error').textContent()).toContain('not valid');
    await page.fill('#token', TOKEN);
    await page.click('button[type=submit]');
    await page.waitForSelector('#rows tr[data-run]');
    expect(new URL(page.url()).pathname).toBe('/');
    await page.fill('#q', 'rlew-');
    await poll(async () => page.locator('#range').textContent()).toMatch(/of 303/);
  });

  it('runs a migration from the page and shows it complete, live', async () => {
    await page.fill('#q', runA);
    await poll(() => page.locator('#rows tr[data-run]').count()).toBe(1);
    await poll(() => row(runA).locator('td').nth(3).textContent()).toContain('legacy');
    await row(runA).getByRole('button', { name: 'Migrate' }).click();
    // Live progress: the step appears in the row while the worker is still on it.
    await poll(() => row(runA).locator('td.status').textContent()).toMatch(/STEP_STARTED|STEP_PROGRESS|STEP_COMPLETE/);
    await poll(() => row(runA).locator('td.status .badge').textContent()).toBe('migrated');
    await poll(() => row(runA).locator('td').nth(3).textContent()).toContain('1002');
    await poll(() => row(runA).locator('td').nth(7).textContent()).toContain('1 archive');
    const events = await page.locator('#events').textContent();
    for (const name of [
      'ENQUEUED',
      'STARTED',
      'ARCHIVE_COMPLETE',
      'STEP_STARTED',
      'STEP_COMPLETE',
      'VERSION_STAMPED',
      'COMPLETE',
    ])
      expect(events).toContain(name);
    expect(await runShape(join(root, runA.slice(0, 2), runA))).toBe('migrated');

    await page.fill('#q', 'rlew-');
    await poll(async () => page.locator('#range').textContent()).toMatch(/of 303/);
    await mkdir(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'fleet.png'), fullPage: false });
  });

  it('restores the last archive from the page', async () => {
    await page.fill('#q', runA);
    await poll(() => page.locator('#rows tr[data-run]').count()).toBe(1);
    await row(runA).getByRole('button', { name: 'Restore' }).click();
    await poll(() => row(runA).locator('td.status .badge').textContent()).toBe('restored');
    await poll(() => row(runA).locator('td').nth(3).textContent()).toContain('legacy');
    expect(await runShape(join(root, runA.slice(0, 2), runA))).toBe('legacy');
    expect(await page.locator('#events').textContent()).toContain('RESTORE_COMPLETE');
  });

  it('bulk "Validate only" over selected runs changes nothing on disk', async () => {
    await page.fill('#q', 'rlew-');
    await page.selectOption('#sort', 'run');
    for (const id of others) {
      await page.fill('#q', id);
      await poll(() => page.locator('#rows tr[data-run]').count()).toBe(1);
      await row(id).locator('input[type=checkbox]').check();
    }
    await poll(() => page.locator('#selected').textContent()).toBe('2 selected');
    await page.getByRole('button', { name: 'Validate only' }).click();
    await poll(() => page.locator('#notice').textContent()).toContain('2 enqueued');
    await poll(() => row(others[1]!).locator('td.status .badge').textContent()).toBe('validated:needs-migration');
    for (const id of others) expect(await runShape(join(root, id.slice(0, 2), id))).toBe('legacy');
  });
});
