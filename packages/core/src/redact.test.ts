import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { describeError, redact } from './redact.js';

describe('redact', () => {
  test.each([
    ['postgres://user:s3cret@host:5432/db', 'postgres://user:***@host:5432/db'],
    ['mongodb+srv://u:p%40ss@cluster/x?retryWrites=true', 'mongodb+srv://u:***@cluster/x?retryWrites=true'],
    ['redis://:p@ss@host:6379', 'redis://:***@host:6379'],
    ['amqp://u:a/b c@broker/vh', 'amqp://u:***@broker/vh'],
    ['postgres://a:b@h1/x and redis://c:d@h2', 'postgres://a:***@h1/x and redis://c:***@h2'],
    ['https://ghp_abc123@github.com/o/r.git', 'https://***@github.com/o/r.git'],
    ['Authorization: Bearer abc.def-ghi', 'Authorization: Bearer ***'],
    ['Authorization: Basic dXNlcjpwYXNz', 'Authorization: Basic ***'],
    ['curl sent Basic dXNlcjpwYXNzd29yZA== upstream', 'curl sent Basic *** upstream'],
    ['authorization=rawtoken123', 'authorization=***'],
    ['sent bearer ya29.a0AfH6 to google', 'sent bearer *** to google'],
    ['https://x/y?access_token=abc123&q=1', 'https://x/y?access_token=***&q=1'],
    [
      'https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA&X-Amz-Signature=f00d&x=1',
      'https://b.s3.amazonaws.com/k?X-Amz-Credential=***&X-Amz-Signature=***&x=1',
    ],
    ['{"password":"hunter2","user":"u"}', '{"password":"***","user":"u"}'],
    ['{"password": "my secret pw"}', '{"password": "***"}'],
    ["password='my secret pw' host=x", "password='***' host=x"],
    ['token=abcdef', 'token=***'],
    ['api_key: zzz', 'api_key: ***'],
    ['nothing secret here', 'nothing secret here'],
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['http://host:8080/path, mail me@example.com', 'http://host:8080/path, mail me@example.com'],
    ['postgres://postgres@localhost/db', 'postgres://postgres@localhost/db'],
  ])('%s', (input, output) => {
    expect(redact(input)).toBe(output);
  });

  test('a PEM private key is masked whole, body included, also when cut off', () => {
    const body = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7';
    const pem = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
    expect(redact(`key: ${pem} done`)).toBe(
      'key: -----BEGIN RSA PRIVATE KEY-----***-----END RSA PRIVATE KEY----- done',
    );
    expect(redact(`-----BEGIN PRIVATE KEY-----\n${body}`)).not.toContain('MIIEvQ');
    expect(redact(JSON.stringify({ key: pem }))).not.toContain('BKcwgg');
  });

  test('describeError redacts errors and other thrown values', () => {
    expect(describeError(new Error('x postgres://a:b@c/d'))).toBe('x postgres://a:***@c/d');
    expect(describeError('password=1')).toBe('password=***');
    expect(describeError(42)).toBe('42');
  });
});

// A secret is never printed, whatever shape carries it. Each shape says which characters its secret may hold
// (a quote cannot sit inside a quoted value unescaped; a bare value ends at whitespace).
const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const secretOf = (extra: string) =>
  fc
    .tuple(
      fc.constantFrom(...letters.slice(0, 52)),
      fc.string({ unit: fc.constantFrom(...(letters + extra)), minLength: 7, maxLength: 24 }),
    )
    .map(([first, rest]) => first + rest);

const shapes: [string, fc.Arbitrary<string>, (s: string) => string][] = [
  [
    'URL password',
    secretOf('@/ .~!$%-_'),
    (s) => `connect failed: postgres://app:${s}@db.internal:5432/prod (timeout)`,
  ],
  ['URL password, no port', secretOf('@/._-'), (s) => `redis://:${s}@cache`],
  ['URL user token', secretOf('._-~'), (s) => `fetch https://${s}@github.com/org/repo.git failed`],
  ['bearer header', secretOf('._-~+/='), (s) => `Authorization: Bearer ${s}`],
  ['basic header', secretOf(':@!'), (s) => `Authorization: Basic ${Buffer.from(`user:${s}`).toString('base64')}`],
  ['raw authorization', secretOf('._-'), (s) => `{"authorization":"${s}"}`],
  ['JSON field', secretOf(' @/:,{}"\\'), (s) => JSON.stringify({ user: 'u', apiKey: s, n: 1 })],
  ['key=value', secretOf('@/:.~!$%-_'), (s) => `password=${s} retry=3`],
  ['quoted key=value', secretOf(' @/:.~!$%-_'), (s) => `password='${s}' host=db`],
  ['query string', secretOf('._-~'), (s) => `GET https://bucket.s3.amazonaws.com/k?X-Amz-Signature=${s}&X-Amz-Date=1`],
  ['PEM body', secretOf('+/='), (s) => `-----BEGIN EC PRIVATE KEY-----\nMHc${s}\n-----END EC PRIVATE KEY-----`],
];

describe('redact: a secret never reaches the output', () => {
  for (const [name, secret, shape] of shapes) {
    test(name, () => {
      fc.assert(
        fc.property(secret, (s) => {
          const plain = name === 'basic header' ? Buffer.from(`user:${s}`).toString('base64') : s;
          fc.pre(!shape('').includes(plain) && !shape('X').includes(plain));
          const out = redact(shape(s));
          expect(out).not.toContain(plain);
          if (name === 'JSON field') expect(out).not.toContain(JSON.stringify(s).slice(1, -1));
        }),
        { numRuns: 300 },
      );
    });
  }
});
