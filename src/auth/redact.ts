/**
 * Credentials out of text meant for logs and error messages: `scheme://user:secret@host` keeps
 * the user, `password=…` / `token=…` in query strings lose their value.
 *   redactCredentials('nats://spc:s3cret@nats:4222') === 'nats://spc:***@nats:4222'
 */
export function redactCredentials(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)([^/@\s:]*):([^/@\s]*)@/gi, '$1$2:***@')
    .replace(/([?&](?:password|passwd|pass|token|secret|api[_-]?key)=)[^&\s]*/gi, '$1***');
}

/** The same through every string of a log record's fields (shallow objects and arrays included). */
export function redactFields(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactCredentials(value);
  if (depth > 3 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => redactFields(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactFields(v, depth + 1)]));
}
