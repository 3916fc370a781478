// Helpers for kubeplay's browser tests and benchmarks: start the static
// server, launch Debian's Chromium through playwright-core, drive the page.

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const require = createRequire(path.join(ROOT, 'web/package.json'));
const { chromium } = require('playwright-core');

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = path.join(ROOT, 'target/browser-artifacts');

/** Starts `kubeplay play` on a free port; resolves to { url, stop }. */
export function startServer() {
  const bin = path.join(ROOT, 'target/release/kubeplay');
  const child = spawn(bin, ['play', '--port', '0', '--dir', path.join(ROOT, 'static')], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) resolve({ url: m[0], stop: () => child.kill() });
    });
    child.on('exit', (code) => reject(new Error(`kubeplay play exited (${code}): ${out}`)));
  });
}

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page of a fresh browser context (its own localStorage). */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, ...options });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/favicon/.test(m.location().url || '')) page.errors.push(m.text()); });
  return page;
}

/** Navigates and waits until the terminal accepts input. */
export async function open(page, url, timeout = 20000) {
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForSelector('html[data-ready="terminal"]', { timeout });
}

/**
 * One untimed load first: a fresh Chromium profile builds its font caches
 * (CJK fonts included) on its first page, which can take many seconds on a
 * busy machine.
 */
export async function warmUp(browser, url) {
  for (let attempt = 1; ; attempt++) {
    const page = await newPage(browser);
    try {
      await open(page, url, 60000);
      await page.context().close();
      return;
    } catch (e) {
      const state = await page.evaluate(() => `${document.readyState} ${document.documentElement.outerHTML.slice(0, 200)}`).catch((x) => String(x));
      console.log(`warm-up load ${attempt} failed: ${e.message.split('\n')[0]}; page: ${state}; errors: ${page.errors}`);
      await page.context().close();
      if (attempt === 3) throw e;
    }
  }
}

export async function type(page, text) {
  await page.click('.terminal');
  await page.keyboard.type(text);
}

export function terminalText(page) {
  return page.evaluate(() => globalThis.kubeplayBoundary.terminalText());
}

/** Waits until the terminal's text matches `re`; returns the text. */
export async function waitForTerminal(page, re, timeout = 15000) {
  const start = Date.now();
  for (;;) {
    const text = await terminalText(page);
    if (re.test(text)) return text;
    if (Date.now() - start > timeout) throw new Error(`terminal never matched ${re}:\n${text}`);
    await page.waitForTimeout(100);
  }
}

export async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}
