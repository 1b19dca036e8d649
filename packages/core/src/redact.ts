// Secrets (passwords in URLs, bearer tokens, API keys, private keys) must never reach logs, events, errors or
// the ledger. Each rule errs towards masking too much: a hidden host name costs less than a leaked password.
const VALUE_NAMES = 'password|passwd|pwd|token|secret|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret';
const SECRET_NAMES = `${VALUE_NAMES}|authorization`;

// A PEM private key: the whole block, body included (also when it was cut off before its END line).
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;

// scheme://user:password@host — the password runs to the LAST "@" of the URL that a host follows, so a password
// holding "@", "/" or a space is masked whole. It never crosses a line, a quote or the start of another URL, and
// a port ("host:8080/path") is not taken for a password.
const URL_PASSWORD =
  /([a-z][a-z0-9+.-]*:\/\/[^:/?#\s@"']*:)(?!\d+(?:[/?#\s"']|$))((?:(?![a-z][a-z0-9+.-]*:\/\/)[^\n\r"'])*)@(?=[^\s@/?#"']+)/gi;
// https://TOKEN@host: a web URL's user part alone is a credential (personal access tokens are passed that way).
const WEB_URL_USER = /(\bhttps?:\/\/)([^:/?#\s@"']+)@(?=[^\s@/?#"']+)/gi;

// The credential of an Authorization header, whatever its scheme (Bearer, Basic, Digest, a bare token).
const AUTH_HEADER =
  /(\bauthorization["']?\s*[:=]\s*["']?)(?:(bearer|basic|digest|negotiate|token|bot)\s+)?([^\s"',;]+)/gi;
const BEARER = /(\bbearer\s+)[a-z0-9._~+/=-]+/gi;
const BASIC = /(\bbasic\s+)[a-z0-9+/]{8,}={0,2}/gi;

// name = 'quoted value with spaces' / "name": "json value" / name=bare
const QUOTED_VALUE = new RegExp(
  `((?:${VALUE_NAMES})[a-z0-9_-]*["']?\\s*[:=]\\s*)(["'])((?:\\\\.|(?!\\2)[^\\\\])*)\\2`,
  'gi',
);
const BARE_VALUE = new RegExp(`((?:${VALUE_NAMES})[a-z0-9_-]*["']?\\s*[:=]\\s*)(?!["'])([^"'\\s,;&}]+)`, 'gi');
const QUERY_SECRET =
  /([?&](?:password|passwd|token|key|secret|access_token|refresh_token|id_token|client_secret|api_key|apikey|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential)=)([^&\s#"']+)/gi;
const SECRET_NAME = new RegExp(SECRET_NAMES, 'i');

export function redact(text: string): string {
  return text
    .replace(
      PEM_PRIVATE_KEY,
      (_all, kind: string) => `-----BEGIN ${kind}PRIVATE KEY-----***-----END ${kind}PRIVATE KEY-----`,
    )
    .replace(URL_PASSWORD, '$1***@')
    .replace(WEB_URL_USER, '$1***@')
    .replace(QUERY_SECRET, '$1***')
    .replace(AUTH_HEADER, (_all, head: string, scheme: string | undefined) => `${head}${scheme ? `${scheme} ` : ''}***`)
    .replace(BEARER, '$1***')
    .replace(BASIC, '$1***')
    .replace(QUOTED_VALUE, '$1$2***$2')
    .replace(BARE_VALUE, '$1***');
}

/** True for a field name that says its value is a secret (`password`, `apiKey`, `accessToken`...). */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A message for an unknown thrown value, redacted. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return redact(error.message);
  return redact(String(error));
}
