/**
 * The console's admin credential: scrypt hashes (node:crypto) of a token or of users' passwords,
 * and the check of an HTTP Authorization header against them (Basic user:password, Basic with the
 * user name `token`, or Bearer <token>), in constant time.
 */
import crypto from 'node:crypto';
import type { ConsoleSettings } from '../store/console-settings.js';

const keyLength = 32;

export function hashSecret(secret: string): string {
  const salt = crypto.randomBytes(16);
  return `scrypt$${salt.toString('base64')}$${crypto.scryptSync(secret, salt, keyLength).toString('base64')}`;
}

export function verifySecret(secret: string, hash: string): boolean {
  const [scheme, salt, expected] = hash.split('$');
  if (scheme !== 'scrypt' || salt === undefined || expected === undefined) return false;
  const want = Buffer.from(expected, 'base64');
  const got = crypto.scryptSync(secret, Buffer.from(salt, 'base64'), want.length);
  return want.length === keyLength && crypto.timingSafeEqual(got, want);
}

/** A new random admin token (shown once, stored as a hash). */
export function newToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

export function hasCredential(settings: ConsoleSettings): boolean {
  return settings.adminTokenHash !== undefined || settings.users.length > 0;
}

/** Who the header authenticates, or undefined (no header, a malformed one, or a wrong secret). */
export function authenticate(header: string | undefined, settings: ConsoleSettings): string | undefined {
  if (!header) return undefined;
  const [scheme, value = ''] = header.trim().split(/\s+/, 2);
  const checkToken = (token: string) => (settings.adminTokenHash !== undefined && verifySecret(token, settings.adminTokenHash) ? 'token' : undefined);
  if (scheme?.toLowerCase() === 'bearer') return checkToken(value);
  if (scheme?.toLowerCase() !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const name = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  const user = settings.users.find((u) => u.name === name);
  if (user) return verifySecret(password, user.passwordHash) ? user.name : undefined;
  return name === 'token' ? checkToken(password) : undefined;
}
