// Opens every page of the prototype frontend served by cdpd in headless
// Chromium, exercises its main forms once, and fails listing every console
// error, page error, failed request, alert and HTTP response >= 400.
//
// Environment: BASE_URL (http://127.0.0.1:PORT of a cdpd serving the built
// frontend with --http.static-dir), CHROMIUM (browser binary, default
// /usr/bin/chromium), SCREENSHOT_DIR (optional: one PNG per step).
import { mkdirSync } from 'node:fs';
import puppeteer from 'puppeteer-core';

const base = process.env.BASE_URL;
if (!base) {
  console.error('frontend_check: BASE_URL is not set');
  process.exit(2);
}
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const screenshots = process.env.SCREENSHOT_DIR || '';
const idleTimeout = 20000;

// The client routes of frontend/src/App.tsx, plus /settings, which the
// layout links to without a route of its own.
const routes = ['/', '/customers', '/orders', '/inventory', '/analytics',
  '/segments', '/flows', '/campaigns', '/agent', '/settings'];

const problems = [];
const done = [];
let step = 'start';
const pending = new Set();

function record(kind, detail) {
  problems.push({ step, kind, ...detail });
}

function track(promise) {
  pending.add(promise);
  promise.finally(() => pending.delete(promise));
}

async function settle(page) {
  try {
    await page.waitForNetworkIdle({ idleTime: 500, timeout: idleTimeout });
  } catch (e) {
    record('network never idle', { text: String(e.message || e) });
  }
  await Promise.allSettled([...pending]);
}

async function shot(page, name) {
  if (!screenshots) return;
  mkdirSync(screenshots, { recursive: true });
  const file = `${screenshots}/${String(done.length).padStart(2, '0')}-${
    name.replace(/[^A-Za-z0-9]+/g, '_')}.png`;
  await page.screenshot({ path: file, fullPage: true }).catch(() => {});
}

function watch(page) {
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location();
    record('console error', {
      text: msg.text(),
      source: where && where.url ? `${where.url}:${where.lineNumber}` : '',
    });
  });
  page.on('pageerror', (err) => {
    record('page error', { text: String(err && err.stack ? err.stack : err) });
  });
  page.on('requestfailed', (req) => {
    record('failed request', {
      method: req.method(),
      url: req.url(),
      error: req.failure() ? req.failure().errorText : '',
    });
  });
  page.on('response', (res) => {
    if (res.status() < 400) return;
    const req = res.request();
    const step_at = step;
    track((async () => {
      let body = '';
      try {
        body = await res.text();
      } catch (e) {
        body = `(body unavailable: ${e.message})`;
      }
      problems.push({
        step: step_at,
        kind: `HTTP ${res.status()}`,
        method: req.method(),
        url: res.url(),
        request: req.postData() || '',
        status: res.status(),
        body: body.slice(0, 2000),
      });
    })());
  });
  page.on('dialog', async (dialog) => {
    // The app asks confirm() before deleting and uses alert() only to
    // report a failure.
    if (dialog.type() === 'confirm') {
      await dialog.accept();
      return;
    }
    record(`${dialog.type()} shown`, { text: dialog.message() });
    await dialog.dismiss();
  });
}

async function open(page, path) {
  step = `open ${path}`;
  let res;
  try {
    res = await page.goto(base + path, { waitUntil: 'networkidle0',
      timeout: 60000 });
  } catch (e) {
    record('navigation failed', { url: base + path, text: e.message });
    return false;
  }
  await settle(page);
  const type = res ? res.headers()['content-type'] || '' : '';
  // 304: the browser revalidated index.html by its ETag and kept its copy.
  const html = res && (res.status() === 304 || type.startsWith('text/html'));
  if (!html) {
    record('document is not the app', {
      url: base + path,
      status: res ? res.status() : 0,
      contentType: type,
      body: res ? (await res.text().catch(() => '')).slice(0, 300) : '',
    });
    return false;
  }
  const rendered = await page.$eval('#root', (el) => el.children.length)
    .catch(() => 0);
  if (!rendered) record('nothing rendered', { url: base + path });
  await shot(page, path);
  done.push(`opened ${path}`);
  return true;
}

const xq = (expr) => `::-p-xpath(${expr})`;
const button = (text) => xq(`//button[normalize-space(.)="${text}"]`);
const after_label = (label, tag) =>
  xq(`//label[contains(normalize-space(.),"${label}")]/following::${tag}[1]`);

async function click(page, selector) {
  const el = await page.waitForSelector(selector, { timeout: 10000 });
  await el.click();
  return el;
}

async function type(page, selector, text) {
  const el = await page.waitForSelector(selector, { timeout: 10000 });
  await el.click({ clickCount: 3 });
  await el.type(text);
}

// Selects the first option with a non-empty value; returns it.
async function select_first(page, selector) {
  const el = await page.waitForSelector(selector, { timeout: 10000 });
  const value = await el.evaluate((s) => {
    const o = [...s.options].find((x) => x.value !== '');
    return o ? o.value : '';
  });
  if (value) await el.select(value);
  return value;
}

// Clicks `selector` and waits for the API call it triggers.
async function submit(page, selector, method, pathEnd) {
  const waiter = page.waitForResponse(
    (r) => r.request().method() === method &&
      new URL(r.url()).pathname.replace(/\/$/, '').endsWith(pathEnd),
    { timeout: 15000 });
  await click(page, selector);
  let res;
  try {
    res = await waiter;
  } catch {
    record('no API call', { text: `${method} ...${pathEnd} was never sent` });
  }
  await settle(page);
  return res;
}

// Buttons that carry only a lucide icon, in document order.
async function icon_buttons(page, pattern) {
  const all = await page.$$('button');
  const hits = [];
  for (const b of all) {
    const cls = await b.evaluate((e) => {
      const svg = e.querySelector('svg');
      return svg && !e.textContent.trim() ? svg.getAttribute('class') : '';
    });
    if (cls && pattern.test(cls)) hits.push(b);
  }
  return hits;
}
const edit_icon = /lucide-(square-pen|pen-square|edit|pencil|pen)\b/;
const trash_icon = /lucide-trash/;

async function api_get(page, path) {
  return page.evaluate(async (p) => {
    const r = await fetch(p);
    return r.ok ? r.json() : [];
  }, path);
}

async function guarded(name, fn) {
  step = name;
  try {
    await fn();
    done.push(name);
  } catch (e) {
    record('check could not run', { text: e.message });
  }
}

async function main() {
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  watch(page);

  // Signing in: a page load without a session lands on /login, whose form
  // sets the session cookie and returns to the page asked for.
  await guarded('sign in through /login', async () => {
    await page.goto(`${base}/customers`, { waitUntil: 'networkidle0' });
    if (!page.url().startsWith(`${base}/login`))
      throw new Error(`expected /login, got ${page.url()}`);
    await page.type('#email', process.env.LOGIN_EMAIL || 'admin@localhost');
    await page.type('#password', process.env.LOGIN_PASSWORD || '');
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'networkidle0' }),
      page.click('button[type=submit]'),
    ]);
    if (page.url() !== `${base}/customers`)
      throw new Error(`after sign-in: ${page.url()}`);
  });

  for (const route of routes) await open(page, route);

  // The dashboard once more, reached through the sidebar as a user does.
  await guarded('sidebar link to the dashboard', async () => {
    if (!(await open(page, '/customers'))) throw new Error('no app');
    step = 'sidebar link to the dashboard';
    await click(page, 'a[href="/"]');
    await settle(page);
    await page.waitForSelector(xq('//h1'), { timeout: 10000 });
    await shot(page, 'dashboard-via-link');
  });

  // Segments: the user list of every segment, then each edit dialog.
  await guarded('segment user lists', async () => {
    if (!(await open(page, '/segments'))) throw new Error('no app');
    const count = (await page.$$(xq('//button[.//span[contains(., " Users")]]')))
      .length;
    if (!count) record('no segments listed', { url: `${base}/segments` });
    for (let i = 0; i < count; ++i) {
      await open(page, '/segments');
      step = `segment ${i + 1}: view users`;
      const buttons = await page.$$(xq('//button[.//span[contains(., " Users")]]'));
      if (!buttons[i]) break;
      await buttons[i].click();
      await settle(page);
    }
  });

  await guarded('create a segment', async () => {
    await open(page, '/segments');
    step = 'create a segment';
    await click(page, button('New Segment'));
    await type(page, 'input[placeholder="e.g., High-Value Customers"]',
      'E2E big spenders');
    await click(page, xq('//button[contains(normalize-space(.),"Add Criteria")]'));
    const res = await submit(page, button('Create Segment'), 'POST', '/segments');
    if (res && res.ok()) done.push('segment created');
    await shot(page, 'segment-created');
  });

  await guarded('edit a segment', async () => {
    await open(page, '/segments');
    step = 'edit a segment';
    const edits = await icon_buttons(page, edit_icon);
    if (!edits.length) throw new Error('no edit button found');
    await edits[edits.length - 1].click();
    await submit(page, button('Update Segment'), 'PUT', '');
  });

  await guarded('create a flow', async () => {
    await open(page, '/flows');
    step = 'create a flow';
    await click(page, xq('//button[contains(normalize-space(.),"New Flow")]'));
    await select_first(page,
      xq('//select[option[normalize-space(.)="Select a segment"]]'));
    await type(page, after_label('Flow Name', 'input'), 'E2E welcome flow');
    await select_first(page, after_label('Entry Condition Type', 'select'));
    await click(page, xq('//button[contains(normalize-space(.),"Add Step")]'));
    const res = await submit(page, button('Create Flow'), 'POST', '/flows');
    if (res && res.ok()) done.push('flow created');
    await shot(page, 'flow-created');
  });

  await guarded('create a campaign', async () => {
    await open(page, '/campaigns');
    step = 'create a campaign';
    await click(page, xq('//button[contains(normalize-space(.),"New Campaign")]'));
    await select_first(page,
      xq('//select[option[normalize-space(.)="Select a segment"]]'));
    await select_first(page, xq(
      '//select[option[normalize-space(.)="No flow (select segment first)"]]'));
    await type(page, 'input[placeholder="e.g., Welcome Campaign"]',
      'E2E spring sale');
    await type(page, 'textarea[placeholder="Campaign description and strategy..."]',
      'Created by the browser check');
    const status = await page.waitForSelector(
      xq('//select[option[@value="paused"]]'));
    await status.select('paused');
    const date = await page.waitForSelector('input[type="date"]');
    await date.evaluate((e) => e.focus());
    await page.keyboard.type('06152031');
    const res = await submit(page, button('Create Campaign'), 'POST',
      '/campaigns');
    if (res && res.ok()) done.push('campaign created');
    await shot(page, 'campaign-created');
  });

  await guarded('flow step dialogs', async () => {
    if (!(await open(page, '/flows'))) throw new Error('no app');
    const n = (await icon_buttons(page, edit_icon)).length;
    for (let i = 0; i < n; ++i) {
      await open(page, '/flows');
      step = `flow ${i + 1}: edit dialog (steps)`;
      const edits = await icon_buttons(page, edit_icon);
      if (!edits[i]) break;
      await edits[i].click();
      await settle(page);
    }
  });

  // Client routes that carry a real id: index.html must answer them.
  await guarded('client routes with real ids', async () => {
    await page.goto(`${base}/customers`, { waitUntil: 'networkidle0' });
    const segments = await api_get(page, '/api/segments/');
    const flows = await api_get(page, '/api/flows/');
    const campaigns = await api_get(page, '/api/campaigns/');
    const users = await api_get(page, '/api/users/?limit=1');
    const ids = [
      ['segments', segments[0]], ['flows', flows[0]],
      ['campaigns', campaigns[0]], ['customers', users[0]]];
    for (const [name, item] of ids)
      if (item && item.id) await open(page, `/${name}/${item.id}`);
  });

  await guarded('campaign status and edit', async () => {
    await open(page, '/campaigns');
    step = 'activate a campaign';
    const activate = await page.$$(xq(
      '//button[not(@disabled)][normalize-space(.)="Activate"]'));
    if (activate.length) {
      await activate[activate.length - 1].click();
      await settle(page);
    } else {
      record('no campaign to activate', { url: `${base}/campaigns` });
    }
    step = 'pause a campaign';
    const pause = await page.$$(xq(
      '//button[not(@disabled)][normalize-space(.)="Pause"]'));
    if (pause.length) {
      await pause[pause.length - 1].click();
      await settle(page);
    }
    step = 'edit a campaign';
    const edits = await icon_buttons(page, edit_icon);
    if (!edits.length) throw new Error('no edit button found');
    await edits[edits.length - 1].click();
    await submit(page, button('Update'), 'PUT', '');
  });

  await guarded('create a customer', async () => {
    await open(page, '/customers');
    step = 'create a customer';
    await click(page, xq('//button[contains(normalize-space(.),"New Customer")]'));
    await type(page, after_label('First Name', 'input'), 'Ada');
    await type(page, after_label('Last Name', 'input'), 'Browser');
    await type(page, after_label('Email', 'input'),
      `ada.${Date.now()}@example.com`);
    const res = await submit(page, button('Create'), 'POST', '/users');
    if (res && res.ok()) done.push('customer created');
  });

  // Delete what the forms made through the UI's delete buttons (each asks
  // confirm(), which the dialog handler accepts); campaign first, as it
  // uses the flow and the segment.
  for (const [path, api] of [['/campaigns', '/campaigns'], ['/flows', '/flows'],
    ['/segments', '/segments']]) {
    await guarded(`delete from ${path}`, async () => {
      await open(page, path);
      step = `delete from ${path}`;
      const trash = [];
      for (const b of await icon_buttons(page, trash_icon))
        if (await b.evaluate((e) => {
          for (let n = e; n; n = n.parentElement)
            if (n.querySelector('h3'))
              return n.querySelector('h3').textContent.startsWith('E2E ');
          return false;
        })) trash.push(b);
      if (!trash.length) throw new Error('nothing made by the check to delete');
      const waiter = page.waitForResponse(
        (r) => r.request().method() === 'DELETE' && r.url().includes(api),
        { timeout: 15000 });
      await trash[trash.length - 1].click();
      await waiter;
      await settle(page);
    });
  }

  await browser.close();
  await Promise.allSettled([...pending]);

  console.log(`frontend_check: ${done.length} steps done against ${base}`);
  for (const d of done) console.log(`  ok  ${d}`);
  if (!problems.length) {
    console.log('frontend_check: no problems');
    return 0;
  }
  console.log(`frontend_check: ${problems.length} problem(s)`);
  for (const p of problems) console.log(JSON.stringify(p));
  return 1;
}

main().then((code) => process.exit(code), (e) => {
  console.error('frontend_check: crashed:', e);
  process.exit(2);
});
