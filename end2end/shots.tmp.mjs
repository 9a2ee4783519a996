// Screenshots for review (not committed): storefront pages and an embedding page of another origin.
import { chromium } from '@playwright/test';
import http from 'node:http';
const RAPPORT = process.env.RAPPORT_BASE_URL;
const SKU = 'KIT-00001';
const page_html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Other shop</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<script src="${RAPPORT}/embed.js" async></script>
<style>body{font-family:Georgia,serif;margin:0;background:#fafafa}main{display:flex;gap:24px;padding:16px}
article{flex:1}aside{width:340px;flex:none;border-left:1px solid #ccc;padding-left:16px}
@media (max-width:600px){main{display:block}aside{width:auto;border:0;padding:0}}</style></head>
<body><main><article><h1>An existing store page</h1><p>Product ${SKU}, sold by another shop.</p>
<rapport-wishlist-button product="${SKU}"></rapport-wishlist-button></article>
<aside><h2>Sidebar</h2><rapport-also-bought product="${SKU}" loading="eager"></rapport-also-bought>
<rapport-feed loading="eager"></rapport-feed></aside></main></body></html>`;
const server = http.createServer((req, res) => { res.writeHead(200, {'content-type': 'text/html; charset=utf-8'}); res.end(page_html); });
await new Promise((r) => server.listen(3302, '127.0.0.1', r));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const views = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 900 } };
const pages = [['home', '/'], ['category', '/c/kitchen'], ['product', `/p/${SKU}`]];
for (const [vname, viewport] of Object.entries(views)) {
  for (const lang of ['en', 'zh-CN']) {
    const context = await browser.newContext({ viewport, locale: lang });
    const page = await context.newPage();
    for (const [name, path] of pages) {
      await page.goto(RAPPORT + path + (path.includes('?') ? '&' : '?') + 'lang=' + lang, { waitUntil: 'networkidle' });
      await page.waitForTimeout(1500);
      await page.screenshot({ path: `/tmp/shots/${name}-${vname}-${lang}.png`, fullPage: false });
    }
    await page.goto('http://127.0.0.1:3302/', { waitUntil: 'networkidle' });
    await page.waitForTimeout(4000);
    await page.screenshot({ path: `/tmp/shots/embedded-${vname}-${lang}.png`, fullPage: true });
    await context.close();
  }
}
await browser.close();
server.close();
