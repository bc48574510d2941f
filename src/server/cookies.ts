/**
 * Real cookies for downstream servers: signed (HMAC-SHA256 with the site's server secret) and
 * expiring, so a forged, altered or stale cookie is refused with InvalidCookie /
 * InvalidAuthorizationCookie as the spec says.
 */
import crypto from 'node:crypto';

export const cookieLifetimeMs = 240 * 60_000;
const authCookieLifetimeMs = 60 * 60_000;

interface CookiePayload {
  kind: 'auth' | 'session';
  account: string;
  expires: number;
  nonce: string;
}

export class CookieSigner {
  readonly #secret: Buffer;
  constructor(secret: Buffer) {
    this.#secret = secret;
  }

  /** The DSS authorization cookie's CookieData for an account. */
  authorizationCookie(account: string, now = Date.now()): string {
    return this.#seal({ kind: 'auth', account, expires: now + authCookieLifetimeMs, nonce: crypto.randomBytes(8).toString('hex') });
  }

  /** A session cookie (GetCookie) for an account, with its expiration instant. */
  sessionCookie(account: string, now = Date.now()): { encryptedData: string; expires: Date } {
    const expires = now + cookieLifetimeMs;
    return { encryptedData: this.#seal({ kind: 'session', account, expires, nonce: crypto.randomBytes(8).toString('hex') }), expires: new Date(expires) };
  }

  /** The account of a valid, unexpired cookie of the given kind, or undefined. */
  verify(data: string, kind: CookiePayload['kind'], now = Date.now()): string | undefined {
    const raw = Buffer.from(data, 'base64');
    if (raw.length < 33) return undefined;
    const body = raw.subarray(0, raw.length - 32);
    const mac = raw.subarray(raw.length - 32);
    if (!crypto.timingSafeEqual(mac, this.#mac(body))) return undefined;
    let payload: CookiePayload;
    try {
      payload = JSON.parse(body.toString('utf8')) as CookiePayload;
    } catch {
      return undefined;
    }
    return payload.kind === kind && payload.expires > now ? payload.account : undefined;
  }

  #seal(payload: CookiePayload): string {
    const body = Buffer.from(JSON.stringify(payload), 'utf8');
    return Buffer.concat([body, this.#mac(body)]).toString('base64');
  }

  #mac(body: Buffer): Buffer {
    return crypto.createHmac('sha256', this.#secret).update(body).digest();
  }
}
