import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Electronic signatures: a quality user re-enters a signing secret, checked against a salted
 * scrypt hash in the tokens file (`signing: scrypt$N$r$p$<salt>$<hash>`, base64). The secret is
 * never stored; a leaked tokens file gives an attacker a memory-hard hash to break, not a secret
 * (21 CFR Part 11 §11.200(a): signatures use two distinct identification components — here the
 * token and the secret).
 * scrypt parameters N = 2¹⁵, r = 8, p = 1 (RFC 7914 §2 and OWASP's password-storage guidance:
 * about 32 MiB and tens of milliseconds a check).
 */
const N = 32768, R = 8, P = 1, KEY_LENGTH = 32;
/** Memory scrypt may use: 128·N·r bytes plus headroom (Node's default cap is 32 MiB, exactly too small). */
const MAXMEM = 64 * 1024 * 1024;
export const SIGNING_PATTERN = '^scrypt\\$\\d+\\$\\d+\\$\\d+\\$[A-Za-z0-9+/]+={0,2}\\$[A-Za-z0-9+/]+={0,2}$';

function derive(secret: string, salt: Buffer, length: number, o: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(secret.normalize('NFC'), salt, length, o, (err, key) => (err ? reject(err) : resolve(key))));
}

/** The tokens-file value for a signing secret (a fresh 16-byte salt each time). */
export async function hashSigningSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, KEY_LENGTH, { N, r: R, p: P, maxmem: MAXMEM });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Whether `secret` matches a stored `scrypt$…` value (constant-time comparison). */
export async function verifySigningSecret(secret: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(secret, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: Math.max(MAXMEM, 256 * Number(n) * Number(r)) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}
