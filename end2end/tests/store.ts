import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A plain "existing store": static pages on an origin of their own (another port than Rapport's), holding
 * Rapport's widgets through the loader's one script tag. Query parameters shape each page as a store's server
 * would: `token` (the signed-in shopper's Rapport token), `sku`, `theme` (light|dark, Rapport's example themes),
 * `csp` (1: a strict Content Security Policy that allows scripts from Rapport's origin only), `lang` (the page's
 * language, `en` unless given). A product page, `/products/<sku>`, is about that product and records its view
 * with `<rapport-product-view>`. A category page, `/category?skus=A,B,…`, lists those products as cards, each with
 * the star badge and the compact heart (`hearts=0`: the badge alone), and nothing else of Rapport's; it takes
 * `token` and `lang` too. The store's stylesheet is hostile on purpose, as real themes are.
 */
const here = join(__dirname, '..', 'store');

export type Store = { origin: string; close: () => Promise<void> };

export async function startStore(port: number, rapport: string): Promise<Store> {
  const page = readFileSync(join(here, 'index.html'), 'utf8');
  const category = readFileSync(join(here, 'category.html'), 'utf8');
  const css = readFileSync(join(here, 'store.css'), 'utf8');
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname === '/store.css') {
      response.writeHead(200, { 'content-type': 'text/css' }).end(css);
      return;
    }
    if (url.pathname === '/category') {
      const hearts = url.searchParams.get('hearts') !== '0';
      const cards = (url.searchParams.get('skus') ?? '')
        .split(',')
        .filter((sku) => sku !== '')
        .map(
          (sku) =>
            `      <li class="store-card"><a href="/products/${escape(sku)}">${escape(sku)}</a>` +
            `<rapport-stars product="${escape(sku)}"></rapport-stars>` +
            (hearts ? `<rapport-wishlist-button product="${escape(sku)}" compact></rapport-wishlist-button>` : '') +
            '</li>',
        )
        .join('\n');
      const token = url.searchParams.get('token');
      const html = category
        .replace('<html lang="en">', `<html lang="${escape(url.searchParams.get('lang') ?? 'en')}">`)
        .replaceAll('{{RAPPORT}}', rapport)
        .replace('{{TOKEN_META}}', token ? `<meta name="rapport-shopper-token" content="${escape(token)}">` : '')
        .replace('{{CARDS}}', cards);
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    if (url.pathname !== '/' && !url.pathname.startsWith('/products/')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const token = url.searchParams.get('token');
    const theme = url.searchParams.get('theme');
    const product = url.pathname.startsWith('/products/') ? decodeURIComponent(url.pathname.slice('/products/'.length)) : null;
    const sku = product ?? url.searchParams.get('sku') ?? 'KIT-00001';
    const headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8' };
    if (url.searchParams.get('csp') === '1') {
      headers['content-security-policy'] = strictPolicy(rapport);
    }
    const html = page
      .replaceAll('{{RAPPORT}}', rapport)
      .replaceAll('{{SKU}}', escape(sku))
      .replaceAll('{{TITLE}}', `Product ${escape(sku)}`)
      .replace('{{PRODUCT_VIEW}}', product ? `<rapport-product-view product="${escape(product)}"></rapport-product-view>` : '')
      .replace('{{TOKEN_META}}', token ? `<meta name="rapport-shopper-token" content="${escape(token)}">` : '')
      .replace(
        '{{THEME_LINKS}}',
        theme ? `<link rel="stylesheet" href="${rapport}/themes/${escape(theme)}.css">` : '',
      )
      .replace(
        '<html lang="en">',
        `<html lang="${escape(url.searchParams.get('lang') ?? 'en')}"${theme ? ` class="rapport-theme-${escape(theme)}"` : ''}>`,
      );
    response.writeHead(200, headers).end(html);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The policy EMBEDDING.md tells merchants to add for Rapport, and nothing else (the store's CSS is 'self'). */
export function strictPolicy(rapport: string): string {
  return [
    "default-src 'none'",
    `script-src ${rapport} 'wasm-unsafe-eval'`,
    `connect-src ${rapport}`,
    `style-src 'self' ${rapport}`,
    `img-src ${rapport}`,
  ].join('; ');
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
