// The browser benchmarks of BENCHMARKS.md, measured in headless Chromium on
// localhost: time to a terminal that takes input, download sizes, and the
// diagram's frame time with 800 pods. Run: bash scripts/bench-web.sh
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { wasmBreakdown } from './wasm-size.mjs';
import { ROOT, startServer, launch, newPage, open, warmUp, type, waitForTerminal } from './lib.mjs';

const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
function sizes(files) {
  let raw = 0, gz = 0, br = 0;
  for (const f of files) {
    const b = fs.readFileSync(path.join(ROOT, 'static', f));
    raw += b.length;
    gz += zlib.gzipSync(b, { level: 9 }).length;
    br += zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  }
  return `${kib(raw)} raw, ${kib(gz)} gzip, ${kib(br)} brotli`;
}

const server = await startServer();
const browser = await launch();
await warmUp(browser, server.url);
const rows = [];

// Navigation → terminal accepting input, fresh profile each time (no cache).
const times = [];
for (let i = 0; i < 5; i++) {
  const page = await newPage(browser);
  await open(page, server.url);
  times.push(Number(await page.getAttribute('html', 'data-ready-ms')));
  await page.context().close();
}
times.sort((a, b) => a - b);
rows.push(['navigation → terminal accepts input (5 cold loads)', `median ${times[2]} ms (min ${times[0]}, max ${times[4]})`, '≤ 1 s']);

rows.push(['wasm (core + UI)', sizes(['pkg/web_bg.wasm']), '≤ 700 KiB gzip']);
rows.push(['JS + CSS without Monaco (boundary, xterm.js, wasm-bindgen glue)', sizes(['dist/boundary.js', 'dist/boundary.css', 'pkg/web.js', 'index.html', 'style.css']), '—']);
rows.push(['Monaco, loaded lazily (editor.js, editor.css, editor.worker.js)', sizes(['dist/editor.js', 'dist/editor.css', 'dist/editor.worker.js']), '—']);

// Frame time with 800 pods drawn while the cluster works.
const page = await newPage(browser);
await open(page, server.url);
await type(page, 'kubectl create deployment big --image=nginx --replicas=800\n');
await waitForTerminal(page, /deployment\.apps\/big created/);
await page.click('button.speed:nth-child(4)'); // 10×
const frames = await page.evaluate(() => new Promise((resolve) => {
  const gaps = [];
  let last = performance.now();
  const end = last + 6000;
  function frame(t) {
    gaps.push(t - last);
    last = t;
    if (t < end) requestAnimationFrame(frame); else resolve(gaps);
  }
  requestAnimationFrame(frame);
}));
const pods = await page.evaluate(() => document.querySelectorAll('g[data-pod]').length);
frames.sort((a, b) => a - b);
const mean = frames.reduce((a, b) => a + b, 0) / frames.length;
const p95 = frames[Math.floor(frames.length * 0.95)];
rows.push([`diagram frame time, ${pods} pods drawn, 10× while the Deployment scales`, `mean ${mean.toFixed(1)} ms (${(1000 / mean).toFixed(0)} fps), p95 ${p95.toFixed(1)} ms`, '≥ 50 fps']);

await browser.close();
server.stop();
console.log('| benchmark | result | goal |\n|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);

// Where the wasm's bytes go: each class of functions gzipped on its own.
console.log('\n| functions | KiB raw | KiB gzip |\n|---|---|---|');
for (const [c, raw, gz] of wasmBreakdown(path.join(ROOT, 'target/web/web_bg.opt-names.wasm'))) {
  console.log(`| ${c} | ${Math.round(raw / 1024)} | ${Math.round(gz / 1024)} |`);
}
