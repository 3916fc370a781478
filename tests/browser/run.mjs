// kubeplay's browser tests: the playground in real Chromium. Each test is
// one scenario of the acceptance list; a screenshot of each state goes to
// target/browser-artifacts/. Run: node tests/browser/run.mjs
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, startServer, launch, newPage, open, warmUp, type, terminalText, waitForTerminal, screenshot } from './lib.mjs';

const DEPLOYMENT_WITH_TYPE_ERROR = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: three\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n';

/** The output of the last `$cmd` in the terminal text (up to the next prompt). */
function outputOf(text, cmd) {
  const start = text.lastIndexOf(`]# ${cmd}\n`);
  assert.ok(start >= 0, `no ${cmd} in:\n${text}`);
  const body = text.slice(start + cmd.length + 4);
  return body.slice(0, body.indexOf('[root@'));
}

const tests = {
  async 'kubectl run reaches Running in the terminal and on a worker in the diagram'(browser, url) {
    const page = await newPage(browser);
    await open(page, url);
    await type(page, 'kubectl run nginx --image=nginx\n');
    await waitForTerminal(page, /pod\/nginx created/);
    await page.click('button.ff');
    await type(page, 'kubectl get pods\n');
    await waitForTerminal(page, /nginx\s+1\/1\s+Running\s+0\s+\d+s/);
    const node = await page.$eval('g[data-pod="nginx"][data-status="Running"]', (el) => el.closest('g[data-node]').dataset.node);
    assert.match(node, /^w\d-k8s$/);
    await screenshot(page, '01-run-nginx');
    assert.deepEqual(page.errors, []);
  },

  async 'a Service is drawn to its pods and a request travels through it'(browser, url) {
    const page = await newPage(browser);
    await open(page, url);
    await type(page, 'kubectl create deployment web --image=nginx --replicas=2\n');
    await waitForTerminal(page, /deployment\.apps\/web created/);
    await type(page, 'kubectl expose deployment web --port=80\n');
    await waitForTerminal(page, /service\/web exposed/);
    await page.click('button.ff');
    await page.waitForFunction(() => document.querySelectorAll('line.svc-link[data-endpoint^="default/web-"]').length === 2, null, { timeout: 10000 });
    // A request from the host shell: node → Service → the pod that answered.
    await type(page, 'curl -s $(kubectl get svc web -o jsonpath={.spec.clusterIP}) | grep title\n');
    await waitForTerminal(page, /<title>Welcome to nginx!<\/title>/);
    const hops = await page.waitForFunction(() => {
      const titles = [...document.querySelectorAll('circle.pulse title')].map((t) => t.textContent);
      return titles.some((t) => / → 200$/.test(t)) ? titles : null;
    }, null, { timeout: 5000 });
    assert.ok((await hops.jsonValue()).length >= 2);
    await screenshot(page, '02-service-lines-and-request');
    assert.deepEqual(page.errors, []);
  },

  async 'the splitters resize the panes by pointer and by keyboard'(browser, url) {
    const page = await newPage(browser);
    await open(page, url);
    const width = () => page.$eval('.terminal-pane', (el) => el.getBoundingClientRect().width);
    const height = () => page.$eval('.terminal-pane', (el) => el.getBoundingClientRect().height);
    const w0 = await width();
    const col = await (await page.$('.splitter.col')).boundingBox();
    await page.mouse.move(col.x + 3, col.y + col.height / 2);
    await page.mouse.down();
    await page.mouse.move(col.x - 200, col.y + col.height / 2, { steps: 5 });
    await page.mouse.up();
    const w1 = await width();
    assert.ok(w1 < w0 - 150, `terminal ${w0}px → ${w1}px after dragging left`);
    const h0 = await height();
    await page.focus('.splitter.row');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const h1 = await height();
    assert.ok(h1 > h0 + 20, `terminal ${h0}px → ${h1}px after two ArrowDown`);
    // The terminal still takes input at its new size.
    await page.click('.terminal');
    await type(page, 'kubectl get nodes\n');
    await waitForTerminal(page, /w1-k8s\s+Ready/);
    await screenshot(page, '02-splitters');
    assert.deepEqual(page.errors, []);
  },

  async 'a Deployment applied from the editor runs 3 pods'(browser, url) {
    const page = await newPage(browser);
    await open(page, url);
    await page.waitForSelector('button.apply:not([disabled])', { timeout: 20000 });
    await page.click('button.apply');
    await waitForTerminal(page, /kubectl apply -f deployment\.yaml\ndeployment\.apps\/web created/);
    await page.click('button.ff');
    await page.waitForFunction(() => document.querySelectorAll('g[data-pod^="web-"][data-status="Running"]').length === 3, null, { timeout: 10000 });
    await screenshot(page, '02-editor-apply');
    assert.deepEqual(page.errors, []);
  },

  async 'a schema error in the editor is marked at its line'(browser, url) {
    const page = await newPage(browser);
    await open(page, url);
    await page.waitForSelector('button.apply:not([disabled])', { timeout: 20000 });
    await page.evaluate((t) => globalThis.kubeplayBoundary.editorSetText(t), DEPLOYMENT_WITH_TYPE_ERROR);
    const marker = await page.waitForSelector('.markers li');
    assert.equal(await marker.textContent(), '6: Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
    await page.waitForSelector('.editor .squiggly-error');
    // Applying it prints the API server's error, and changes nothing.
    await page.click('button.apply');
    await waitForTerminal(page, /Error from server \(BadRequest\): error when creating "deployment\.yaml": Deployment in version "v1" cannot be handled as a Deployment/);
    await screenshot(page, '03-editor-marker');
  },

  async 'the editor completes field names from the API types'(browser, url) {
    const page = await newPage(browser);
    await open(page, url);
    await page.waitForSelector('button.apply:not([disabled])', { timeout: 20000 });
    const cases = [
      ['apiVersion: apps/v1\nkind: Deployment\nspec:\n  repl', ['replicas']],
      ['apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        ima', ['image', 'imagePullPolicy']],
      ['apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - ', ['args', 'command', 'env', 'image']],
    ];
    for (const [text, want] of cases) {
      await page.evaluate((t) => globalThis.kubeplayBoundary.editorSetText(t), text);
      await page.click('.editor .view-lines');
      await page.keyboard.press('Control+End');
      await page.keyboard.press('Control+Space');
      await page.waitForSelector('.suggest-widget.visible .monaco-list-row', { timeout: 5000 });
      const labels = await page.$$eval('.suggest-widget.visible .monaco-list-row .label-name', (els) => els.map((e) => e.textContent));
      for (const w of want) assert.ok(labels.includes(w), `${w} not offered for ${JSON.stringify(text)}: ${labels}`);
      await page.keyboard.press('Escape');
    }
    await screenshot(page, '03b-editor-completion');
  },

  async 'pause stops the clock and play resumes it'(browser, url) {
    const page = await newPage(browser);
    await open(page, url);
    await page.click('button.pause');
    const paused = await page.textContent('.clock');
    assert.match(paused, /\(paused\)$/);
    await page.waitForTimeout(2200);
    assert.equal(await page.textContent('.clock'), paused);
    await screenshot(page, '04-paused');
    await page.click('button.pause');
    await page.waitForTimeout(2200);
    const running = await page.textContent('.clock');
    assert.notEqual(running, paused);
    assert.ok(running > paused.replace(' (paused)', ''), `${running} after ${paused}`);
  },

  async 'a share link reproduces the session byte for byte, and natively the same state'(browser, url) {
    const a = await newPage(browser);
    await open(a, url);
    await type(a, 'kubectl create deployment web --image=nginx --replicas=3\n');
    await waitForTerminal(a, /deployment\.apps\/web created/);
    await a.click('button.ff');
    await a.click('button.pause');
    await type(a, 'kubectl get pods -o wide\n');
    const original = outputOf(await waitForTerminal(a, /web-\S+\s+1\/1\s+Running[^\n]*\n[^\n]*web-[^\n]*\n[^\n]*web-[\s\S]*\]# $/), 'kubectl get pods -o wide');
    assert.match(original, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\n/);
    const hash = await a.getAttribute('.clock', 'data-state-hash');
    await a.click('button.share');
    const notice = await a.textContent('.notice span');
    const link = notice.slice(notice.indexOf('http'));
    assert.match(link, /#v1\.[A-Za-z0-9_-]+$/);

    const b = await newPage(browser);
    await open(b, link);
    const replayed = outputOf(await waitForTerminal(b, /kubectl get pods -o wide/), 'kubectl get pods -o wide');
    assert.equal(replayed, original);
    await screenshot(b, '05-share-link-opened');

    const native = execFileSync(path.join(ROOT, 'target/release/kubeplay'), ['replay', link, '--hash'], { encoding: 'utf8' });
    assert.equal(native.match(/state-hash: ([0-9a-f]{16})/)[1], hash, 'native replay reaches the state the browser had');
    assert.equal(outputOf(native.replaceAll('\r\x1b[J', ''), 'kubectl get pods -o wide'), original);
  },

  async 'a hostile link shows why and starts a clean cluster'(browser, url) {
    for (const [fragment, why] of [
      ['v1.AAAAAAAA', 'the link is damaged (its data does not decompress)'],
      ['v7.AAAA', 'the link was made by a newer kubeplay (scenario format 7; this one reads up to 1)'],
      ['<script>alert(1)</script>', 'the link is not a kubeplay scenario'],
    ]) {
      const page = await newPage(browser);
      await open(page, `${url}#${fragment}`);
      assert.equal(await page.textContent('.notice span'), `This link could not be opened: ${why}. A clean cluster was started instead.`);
      await type(page, 'kubectl get pods\n');
      await waitForTerminal(page, /No resources found in default namespace\./);
      assert.equal(await page.$('script:not([src])'), null);
      await screenshot(page, '06-hostile-link');
    }
  },

  async 'reload restores the session'(browser, url) {
    const page = await newPage(browser);
    await open(page, url);
    await type(page, 'kubectl run keep --image=nginx\n');
    await waitForTerminal(page, /pod\/keep created/);
    await page.waitForTimeout(1500); // the autosave runs every second
    await page.reload({ waitUntil: 'commit' });
    await page.waitForSelector('html[data-ready="terminal"]');
    assert.equal(await page.textContent('.notice span'), 'Your last session was restored.');
    await waitForTerminal(page, /pod\/keep created/);
    await type(page, 'kubectl get pod keep -o name\n');
    await waitForTerminal(page, /\npod\/keep\n/);
    await screenshot(page, '07-reload-restored');
    // Reset starts over.
    await page.click('button.reset');
    await page.waitForSelector('html[data-ready="terminal"]');
    await type(page, 'kubectl get pods\n');
    await waitForTerminal(page, /No resources found in default namespace\./);
  },

  async 'the Korean UI renders'(browser, url) {
    const page = await newPage(browser, { locale: 'ko-KR' });
    await open(page, url);
    assert.equal(await page.textContent('button.pause'), '일시정지');
    assert.equal(await page.getAttribute('.app', 'lang'), 'ko');
    await type(page, 'kubectl get nodes\n');
    await waitForTerminal(page, /w3-k8s\s+Ready/);
    await screenshot(page, '08-korean');
    await page.click('button.lang');
    assert.equal(await page.textContent('button.pause'), 'Pause');
  },

  async 'the embed layout has the terminal and the diagram only'(browser, url) {
    const page = await newPage(browser, { viewport: { width: 800, height: 500 } });
    await open(page, `${url}?embed=1`);
    assert.equal(await page.$('.editor-pane'), null);
    assert.notEqual(await page.$('.diagram'), null);
    await screenshot(page, '09-embed');
  },

  async 'the page forbids inline scripts and other origins (CSP)'(browser, url) {
    const page = await newPage(browser);
    const response = await page.goto(url, { waitUntil: 'commit' });
    const csp = response.headers()['content-security-policy'];
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval';/);
    assert.doesNotMatch(csp, /unsafe-inline'[^;]*;.*script|https?:/);
    await page.waitForSelector('html[data-ready="terminal"]');
    // Text that looks like HTML stays text.
    await type(page, 'echo "<img src=x onerror=alert(1)>"\n');
    await waitForTerminal(page, /\n<img src=x onerror=alert\(1\)>\n/);
    assert.equal(await page.$('img'), null);
    assert.deepEqual(page.errors, []);
  },

  async 'a phone-sized screen stacks the panes'(browser, url) {
    const page = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await open(page, url);
    const terminal = await page.$eval('.terminal-pane', (e) => e.getBoundingClientRect().toJSON());
    const diagram = await page.$eval('.diagram-pane', (e) => e.getBoundingClientRect().toJSON());
    assert.ok(terminal.width > 350 && diagram.top >= terminal.bottom, `${JSON.stringify(terminal)} ${JSON.stringify(diagram)}`);
    await type(page, 'kubectl get nodes\n');
    await waitForTerminal(page, /w3-k8s/);
    await screenshot(page, '10-phone');
  },

  async 'a watch streams until Ctrl+C and pausing freezes it'(browser, url) {
    const page = await newPage(browser);
    await open(page, url);
    await type(page, 'kubectl get pods -w\n');
    await page.click('button.pause');
    await page.evaluate(() => {}); // let the click land
    const before = await terminalText(page);
    await page.click('.terminal');
    await page.keyboard.type('\n');
    await page.waitForTimeout(500);
    assert.equal(await terminalText(page), before, 'no prompt while the watch runs');
    await page.click('button.pause');
    await page.click('.terminal');
    await page.keyboard.press('Control+C');
    await waitForTerminal(page, /\^C\n\[root@m-k8s ~\]# $/);
  },
};

const only = process.argv[2];
const server = await startServer();
const browser = await launch();
await warmUp(browser, server.url);
let failed = 0;
for (const [name, test] of Object.entries(tests)) {
  if (only && !name.includes(only)) continue;
  const t0 = Date.now();
  try {
    await test(browser, server.url);
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n${e.stack || e}`);
  }
}
await browser.close();
server.stop();
console.log(failed ? `${failed} browser test(s) failed` : 'all browser tests passed');
process.exit(failed ? 1 : 0);
