import { expect, it } from 'vitest';
import { redactCredentials, redactFields } from '../../src/auth/redact.js';

it('redacts passwords in URLs and secret query parameters, keeps the rest readable', () => {
  expect(redactCredentials('nats://spc:s3cret@nats:4222')).toBe('nats://spc:***@nats:4222');
  expect(redactCredentials('connect postgres://qa:p%40ss@db:5432/spc failed')).toBe('connect postgres://qa:***@db:5432/spc failed');
  expect(redactCredentials('http://influx:8086/write?db=spc&password=hunter2&u=x')).toBe('http://influx:8086/write?db=spc&password=***&u=x');
  expect(redactCredentials('nats://127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
  expect(redactFields({ err: 'dial postgres://a:b@h/db', n: 3, nested: { url: 'nats://u:p@h' } })).toEqual({ err: 'dial postgres://a:***@h/db', n: 3, nested: { url: 'nats://u:***@h' } });
});
