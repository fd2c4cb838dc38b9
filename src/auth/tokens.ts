import { createHash, timingSafeEqual } from 'node:crypto';
import Type from 'typebox';
import { SIGNING_PATTERN } from './signature.js';
import { InvalidFileError, LocatedYaml, readConfigFile, validateAgainst } from '../rules-file/diagnostics.js';

export const ROLES = ['plc', 'operator', 'quality'] as const;
export type Role = (typeof ROLES)[number];

const TokenEntrySchema = Type.Object({
  token: Type.String({ minLength: 16, description: 'secret presented as Bearer token or ?token=' }),
  role: Type.Enum([...ROLES]),
  name: Type.Optional(Type.String({ minLength: 1, description: 'who this is, for the audit trail; default: the role' })),
  lines: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'lines this token may see; omitted = all' })),
  signing: Type.Optional(Type.String({ pattern: SIGNING_PATTERN, description: 'salted scrypt hash of this user\'s signing secret, for electronic signatures (make one with: spc tokens hash-secret)' })),
}, { additionalProperties: false });

export const TokensFileSchema = Type.Array(TokenEntrySchema);
export type TokenEntry = Type.Static<typeof TokenEntrySchema>;

/** Reads a tokens file (`- { token: ..., role: plc|operator|quality, lines: [L1] }`); errors carry file:line:col. */
export function loadTokens(path: string): TokenEntry[] {
  const y = new LocatedYaml(path, readConfigFile(path));
  if (y.syntaxErrors.length) throw new InvalidFileError(y.syntaxErrors);
  const errors = validateAgainst(y, TokensFileSchema);
  if (errors.length) throw new InvalidFileError(errors);
  const tokens = y.toJS() as TokenEntry[];
  const seen = new Set<string>();
  tokens.forEach((t, i) => {
    if (seen.has(t.token)) throw new InvalidFileError([y.at([i, 'token'], 'repeats a token of an earlier entry; tokens must be unique')]);
    seen.add(t.token);
  });
  return tokens;
}

/** The token's entry. Tokens are compared as SHA-256 digests with timingSafeEqual, so timing leaks nothing. */
export function findToken(tokens: readonly TokenEntry[], presented: string | undefined): TokenEntry | undefined {
  if (!presented) return undefined;
  const digest = createHash('sha256').update(presented).digest();
  let found: TokenEntry | undefined;
  for (const t of tokens) if (timingSafeEqual(createHash('sha256').update(t.token).digest(), digest)) found = t;
  return found;
}
