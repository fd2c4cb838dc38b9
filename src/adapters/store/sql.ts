import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** The SQL both backends run: PostgreSQL over the wire, or PGlite embedded (the same statements). */
export interface SqlClient {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
  readonly kind: 'postgres' | 'pglite';
}

class PostgresClient implements SqlClient {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 4 });
    this.pool.on('error', () => undefined); // a dropped idle connection is retried by the next query
  }
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> { return (await this.pool.query(sql, params)).rows as T[]; }
  async exec(sql: string): Promise<void> { await this.pool.query(sql); }
  async close(): Promise<void> { await this.pool.end(); }
}

class PgliteClient implements SqlClient {
  readonly kind = 'pglite' as const;
  constructor(private readonly db: PGlite) {}
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> { return (await this.db.query<T>(sql, params)).rows; }
  async exec(sql: string): Promise<void> { await this.db.exec(sql); }
  async close(): Promise<void> { await this.db.close(); }
}

/**
 * `postgres://…` → PostgreSQL; `pglite:` (in memory) or `pglite:<folder>` → embedded PGlite.
 * Migrations are applied before the client is returned.
 */
export async function openSql(url: string): Promise<SqlClient> {
  let client: SqlClient;
  if (/^postgres(ql)?:\/\//.test(url)) client = new PostgresClient(url);
  else if (url.startsWith('pglite:')) {
    const dir = url.slice('pglite:'.length);
    client = new PgliteClient(dir ? new PGlite(dir) : new PGlite());
  } else throw new Error(`store URL must be postgres://… or pglite:[folder] (got ${url})`);
  await migrate(client);
  return client;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Applies versioned migrations (migrations/NNN_name.sql) not yet applied, each in a transaction. */
export async function migrate(db: SqlClient): Promise<number[]> {
  await db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
  const applied = new Set((await db.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
  const done: number[] = [];
  for (const file of readdirSync(MIGRATIONS_DIR).filter((f) => /^\d+_.*\.sql$/.test(f)).sort()) {
    const version = Number(file.split('_')[0]);
    if (applied.has(version)) continue;
    const sql = readFileSync(MIGRATIONS_DIR + file, 'utf8');
    await db.exec(`BEGIN;\n${sql}\nINSERT INTO schema_migrations (version, name) VALUES (${version}, '${file}');\nCOMMIT;`);
    done.push(version);
  }
  return done;
}
