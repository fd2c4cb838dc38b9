/**
 * Request budgets as token buckets (a burst, refilled at a steady rate): requests beyond them get
 * 429 with Retry-After. Keys are bounded in number, so a flood of addresses costs bounded memory.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(readonly burst: number, readonly perSecond: number, private readonly maxKeys = 10_000) {}

  /** Takes one request from `key`'s bucket; false when it is empty. */
  take(key: string, now = Date.now()): boolean {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.buckets.clear();
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens--;
    return true;
  }

  /** Whether `key` has a request left, without taking it. */
  has(key: string, now = Date.now()): boolean {
    const b = this.buckets.get(key);
    return !b || Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond) >= 1;
  }

  describe(): string { return `${this.perSecond}/s, bursts of ${this.burst}`; }
}

/**
 * The budgets of the HTTP API and the signal WebSocket, shared by both: a valid token has its own
 * budget (so nobody behind the same address can use up a quality user's), failed authentication
 * has a small budget per address (guessing tokens is slow, and never locks out a valid token),
 * and unauthenticated pages (/healthz, /metrics, the console's files) a budget per address.
 */
export class AccessLimits {
  readonly perToken = new TokenBuckets(40, 20);
  readonly upgradesPerToken = new TokenBuckets(10, 2);
  readonly failedAuth = new TokenBuckets(10, 1);
  readonly publicPages = new TokenBuckets(60, 30);
  /** Most WebSocket connections open at once with one token. */
  constructor(readonly connectionsPerToken = 50) {}
}
