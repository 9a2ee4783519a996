import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@playwright/test';

/**
 * The emails the test SMTP server (server/tests/smtp_sink.py, started by `./rapport test`) accepted, read as a
 * shopper's mail program would: headers, and the plain-text part decoded.
 */
export type Email = { headers: Map<string, string>; text: string };

const mailDir = () => {
  const dir = process.env.RAPPORT_MAIL_DIR;
  expect(dir, 'RAPPORT_MAIL_DIR names the test SMTP server’s directory').toBeTruthy();
  return dir!;
};

function headersOf(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/** RFC 2047 `=?utf-8?b?…?=` words as text (the space between two encoded words is not part of it). */
export function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?b\?([^?]*)\?=/gi, (_, data: string) => Buffer.from(data, 'base64').toString('utf8'));
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable':
      return Buffer.from(
        body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
        'latin1',
      ).toString('utf8');
    default:
      return body;
  }
}

function parse(raw: string): Email {
  const split = raw.indexOf('\r\n\r\n');
  const headers = headersOf(raw.slice(0, split));
  const boundary = /boundary="?([^";]+)"?/.exec(headers.get('content-type') ?? '')?.[1];
  let text = '';
  for (const part of boundary ? raw.split(`--${boundary}`) : [raw]) {
    const at = part.indexOf('\r\n\r\n');
    const partHeaders = headersOf(part.slice(0, at).replace(/^\r\n/, ''));
    if ((partHeaders.get('content-type') ?? '').startsWith('text/plain')) {
      text = decodeBody(part.slice(at + 4), partHeaders.get('content-transfer-encoding'));
    }
  }
  return { headers, text };
}

/** Every email sent to `address` so far, oldest first. */
export function emailsTo(address: string): Email[] {
  const dir = mailDir();
  return readdirSync(dir)
    .filter((name) => name.endsWith('.eml'))
    .sort()
    .map((name) => parse(readFileSync(join(dir, name), 'latin1')))
    .filter((email) => (email.headers.get('to') ?? '').includes(address));
}

/** Waits for the `count`-th email to `address` and returns it. */
export async function nthEmailTo(address: string, count: number): Promise<Email> {
  await expect.poll(() => emailsTo(address).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(count);
  return emailsTo(address)[count - 1];
}

/** The first link in an email's text whose path starts with `path`. */
export function linkIn(email: Email, path: string): string {
  const link = email.text.split(/\s+/).find((word) => /^https?:\/\//.test(word) && new URL(word).pathname.startsWith(path));
  expect(link, `a ${path} link in:\n${email.text}`).toBeTruthy();
  return link!;
}
