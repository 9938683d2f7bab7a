/** Password hashing for the demo's local accounts (scrypt with a random salt). */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `${salt.toString('hex')}:${scryptSync(password, salt, 32).toString('hex')}`;
}

export function checkPassword(password: string, stored: string): boolean {
  const [salt, hash] = stored.split(':');
  const computed = scryptSync(password, Buffer.from(salt!, 'hex'), 32);
  return timingSafeEqual(computed, Buffer.from(hash!, 'hex'));
}
