// Secrets (passwords in URLs, bearer tokens, API keys) must never reach logs, events, errors or the ledger.
const SECRET_NAMES = 'password|passwd|pwd|token|secret|api[_-]?key|access[_-]?key|private[_-]?key|authorization';
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*:)([^@/\s]+)(@)/gi;
const BEARER = /(bearer\s+)[a-z0-9._~+/=-]+/gi;
const KEY_VALUE = new RegExp(`((?:${SECRET_NAMES})["']?\\s*[:=]\\s*["']?)([^"'\\s,;&}]+)`, 'gi');
const QUERY_SECRET = /([?&](?:password|token|key|secret|access_token|sig)=)([^&\s#]+)/gi;
const SECRET_NAME = new RegExp(SECRET_NAMES, 'i');

export function redact(text: string): string {
  return text
    .replace(URL_PASSWORD, '$1***$3')
    .replace(BEARER, '$1***')
    .replace(QUERY_SECRET, '$1***')
    .replace(KEY_VALUE, '$1***');
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
