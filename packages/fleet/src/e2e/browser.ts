// Headless Chromium for the end-to-end tests: Debian's package (`apt-get install -y chromium`) driven by
// playwright-core. A missing browser FAILS the test with the install command, never skips it.
import { createError } from '@tidemark/core';
import { access } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.TIDEMARK_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  try {
    await access(CHROMIUM);
  } catch {
    throw createError(
      'fleet',
      `e2e: no Chromium at ${CHROMIUM}. Install it with: apt-get install -y chromium (or set TIDEMARK_CHROMIUM)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
