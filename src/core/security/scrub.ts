/**
 * Secret scrubbing: runs on every chunk's embed text before it is hashed or leaves the machine.
 * Only the secret itself is replaced by `«secret»`; the key name, quotes and surrounding code stay,
 * so a search for `DB_PASSWORD` or `stripe.api_key` still finds the line.
 *
 * Three kinds of detectors:
 *  - known formats with a distinctive prefix (AKIA…, ghp_…, sk-…, npm_…, hf_…, SG.…, eyJ….eyJ…,
 *    PEM blocks, …): matched anywhere, in prose, comments or code;
 *  - secrets in a known structure, where only the secret part goes: URL and `curl -u` credentials,
 *    Azure `AccountKey=` / `SharedAccessKey=` / SAS `sig=`, ADO.NET / ODBC `Password=` / `Pwd=`,
 *    XML config (`<password>…</password>`, `<add key="…Password" value="…"/>`);
 *  - values assigned to secret-sounding names (password, token, api_key, client_secret, …) in
 *    code / JSON / YAML / .ini / .env syntax: scrubbed only when the value looks like a secret
 *    (not a placeholder, not a code reference like `os.environ["X"]`, enough entropy), so ordinary
 *    code (`token: string`, `tokens = tokenize(text)`) is left alone.
 * Each rule is a single regex with a literal anchor, so V8 scans fast (see the unit test for MB/s).
 */
export interface ScrubResult {
  readonly text: string;
  /** How many secrets were replaced. */
  readonly found: number;
}

export const SECRET_PLACEHOLDER = '«secret»';

type Rule = {
  readonly name: string;
  readonly re: RegExp;
  readonly replace: (m: string, ...groups: string[]) => string | undefined;
  /** A literal every match contains: without it in the text the regex is not run (no literal prefix = a slow scan). */
  readonly needs?: string;
};

const P = SECRET_PLACEHOLDER;

/** Looks like a real key rather than a word: has a digit, and mixed case or long hex. */
function keyLike(s: string): boolean {
  return /\d/.test(s) && (/[A-Z]/.test(s) || /^[a-f0-9-]{24,}$/.test(s) || s.length >= 40);
}

/** A random token rather than a camelCase name: has lower case, and upper case / digits are ≥ 20 % of it. */
function randomToken(s: string): boolean {
  const lower = s.replace(/[^a-z]/g, '').length;
  return lower > 0 && (s.length - lower) / s.length >= 0.2;
}

// Secret-sounding names for XML elements and `<add key="…" value="…"/>` settings: the name must
// end with one of these words (plus a suffix like Key/Id/Value), so `PasswordLength` is not one.
const SECRET_WORDS = 'secret|password|passwd|passphrase|pwd|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|auth[_-]?key|credential';
const NAME_SUFFIX = '(?:[_-]?(?:key|id|value|base|hash|b64|base64|str|string|live|prod|test|dev))*s?';
const SECRET_NAME = new RegExp(`(${SECRET_WORDS})${NAME_SUFFIX}$`, 'i');

/** The value of a named setting (`<apiKey>…</apiKey>`, `<add key="DbPassword" value="…"/>`), judged like a quoted assignment. */
function namedSecret(name: string, value: string): boolean {
  const kw = SECRET_NAME.exec(name)?.[1];
  return !!kw && isSecretValue(value.trim(), true, kw);
}

// Keys that mark an ADO.NET / ODBC connection string (`Server=…;Database=…;Password=…;`).
const CONN_KEYS = '(?:server|data source|database|initial catalog|user ?id|uid|host|driver|provider|dsn|addr|address|network address|port|integrated security|trusted_connection|encrypt)';

const RULES: readonly Rule[] = [
  {
    // PEM / PGP private keys (also `\n`-escaped inside JSON, and blocks cut off at a chunk edge).
    name: 'private-key-block',
    re: /(-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)/g,
    replace: (_m, begin, end) => `${begin}${P}${end}`,
  },
  {
    // The body of a PEM/PGP block that a chunk edge cut from its BEGIN line: lines made only of
    // base64 (64 columns in PEM and PGP armour), optionally quoted or behind a comment marker.
    name: 'key-material',
    re: /^((?:[ \t]*(?:["'`]|\/\/|#|\*|;))*[ \t]*)([A-Za-z0-9+/]{40,}={0,2}|[A-Za-z0-9+/]{12,}={1,2})((?:\\n)?["'`,]*[ \t]*\r?)$/gm,
    replace: (m, lead, body, tail) => (/\d/.test(body) && /[A-Z]/.test(body) && /[a-z]/.test(body) ? `${lead}${P}${tail}` : undefined),
  },
  {
    // The same body inside a JSON or INI string (`\n`-escaped), cut from its BEGIN line by a chunk edge.
    name: 'escaped-key-material',
    re: /(?:[A-Za-z0-9+/]{40,}={0,2}\\n){2,}(?:[A-Za-z0-9+/]{8,}={0,2}(?=\\n|["'`]|$))?/g,
    needs: '\\n',
    replace: (m) => (/\d/.test(m) && /[A-Z]/.test(m) && /[a-z]/.test(m) ? P : undefined),
  },
  {
    // The last, short line of a block whose END marker follows (real or `\n`-escaped newline).
    name: 'key-material-tail',
    re: /[A-Za-z0-9+/]{8,}={0,2}(?=(?:\\n|\r?\n)-----END [A-Z0-9 ]*PRIVATE KEY)/g,
    needs: '-----END ',
    replace: () => P,
  },
  { name: 'aws-access-key-id', re: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g, replace: () => P },
  {
    name: 'aws-secret-access-key',
    re: /(aws_?secret_?(?:access_?)?key["']?\s*(?::=|=>|=|:)\s*["']?)([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi,
    replace: (_m, lead) => `${lead}${P}`,
  },
  { name: 'google-api-key', re: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g, replace: () => P },
  { name: 'google-oauth-secret', re: /\bGOCSPX-[A-Za-z0-9_-]{28}(?![A-Za-z0-9_-])/g, replace: () => P },
  { name: 'github-token', re: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}\b/g, replace: () => P },
  { name: 'github-pat', re: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g, replace: () => P },
  { name: 'gitlab-token', re: /\bglpat-[A-Za-z0-9_-]{20,}/g, replace: () => P },
  { name: 'slack-token', re: /\bxox[abposre]-[A-Za-z0-9-]{10,}/g, replace: () => P },
  { name: 'slack-webhook', re: /(https:\/\/hooks\.slack\.com\/services\/)[A-Za-z0-9/_-]{20,}/g, replace: (_m, lead) => `${lead}${P}` },
  { name: 'stripe-key', re: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b/g, replace: () => P },
  { name: 'anthropic-key', re: /\bsk-ant-[A-Za-z0-9_-]{20,}/g, replace: () => P },
  { name: 'npm-token', re: /\bnpm_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/g, replace: (m) => (randomToken(m.slice(4)) ? P : undefined) },
  // Hugging Face: hf_ + 34 letters today; `hf_hub_download`-style snake_case never reaches 30.
  { name: 'huggingface-token', re: /\bhf_[A-Za-z0-9]{30,}(?![A-Za-z0-9_])/g, replace: (m) => (randomToken(m.slice(3)) ? P : undefined) },
  { name: 'sendgrid-key', re: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g, replace: () => P },
  {
    // OpenAI (sk-…, sk-proj-…) and DashScope (sk- + 32 hex) keys; `sk-learn-…`-style words are not.
    name: 'sk-key',
    re: /\bsk-((?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,})/g,
    replace: (m, body) => (keyLike(body) ? P : undefined),
  },
  { name: 'jwt', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, replace: () => P },
  {
    // Authorization: Basic/Bearer/Token … (headers, curl -H, code).
    name: 'authorization-header',
    re: /(\bAuthorization["']?\s*[:=]\s*["']?\s*(?:Bearer|Basic|Token|Bot|Digest)\s+)([A-Za-z0-9._~+/=-]{8,})/gi,
    replace: (m, lead, value) => (value === P || value.startsWith('«') ? undefined : `${lead}${P}`),
  },
  {
    // A bare `Bearer <token>` outside an Authorization header (`-H "Bearer …"`, docs).
    name: 'bearer-token',
    re: /(\bBearer\s+)([A-Za-z0-9._~+/-]{16,}=*)/g,
    replace: (_m, lead, value) => (/\d/.test(value) ? `${lead}${P}` : undefined),
  },
  {
    // scheme://user:password@host — only the password goes.
    name: 'url-credentials',
    re: /(\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}:\/\/[^\s:@/'"`<>]{1,64}:)([^\s@/'"`<>]{1,128})(@)/g,
    needs: '://',
    replace: (_m, lead, pass, at) => (isPlaceholder(pass) ? undefined : `${lead}${P}${at}`),
  },
  {
    // Azure connection strings: AccountKey=… (storage, Cosmos DB), SharedAccessKey=… (Service Bus,
    // Event Hubs, IoT Hub). The rest of the string (endpoint, account and key names) stays.
    name: 'azure-account-key',
    re: /(\b(?:AccountKey|SharedAccessKey)["']?\s*[=:]\s*["']?)([A-Za-z0-9+/]{20,}={0,2})(?![A-Za-z0-9+/=])/gi,
    replace: (_m, lead, key) => ((key.length >= 40 || /[\d+/=]/.test(key)) && charClasses(key) >= 2 && !isPlaceholder(key) ? `${lead}${P}` : undefined),
  },
  {
    // The signature of a SAS token (`?sv=…&se=…&sig=…`, `SharedAccessSignature sr=…&sig=…`): a
    // base64 HMAC, often URL-encoded; the other parameters (expiry, permissions) are kept.
    name: 'azure-sas-signature',
    re: /((?:[?&;]|\bSharedAccessSignature[ =])sig=)([A-Za-z0-9%+/_-]{16,}={0,2})/g,
    replace: (_m, lead, sig) => (/[\d%=]/.test(sig) && !isPlaceholder(sig) ? `${lead}${P}` : undefined),
  },
  {
    // curl -u user:password / --user user:password (also on `\`-continued lines): the user stays.
    // Only inside a curl command (not past `|`, `;`, `&&`): `docker run -u 1000:1000` is not one.
    name: 'curl-user',
    re: /(\bcurl\b(?:[^\n|;&]|&(?!&)|\\\r?\n)*?\s(?:-u|--user)[ \t]*\\?["']?(?!-)[^\s:"'\\]*:)([^\s"'\\]+)/g,
    replace: (_m, lead, pass) => (isPlaceholder(pass) ? undefined : `${lead}${P}`),
  },
  {
    // ADO.NET / ODBC connection strings: Password=…; / Pwd=…; next to Server=, Database=, User ID=, ….
    // Not `password=pw` in code: a `;` must join it to a connection-string key (`KEY=`, no space)
    // earlier on the line, or a `;KEY=` must follow its value. Any value but a placeholder goes.
    name: 'connection-string-password',
    re: new RegExp(
      `((?<![^;"'\`\\s>])(?:password|pwd)[ \\t]*=[ \\t]*)` +
        `(?:(?<=\\b${CONN_KEYS}=[^\\n]*;[ \\t]*(?:password|pwd)[ \\t]*=[ \\t]*)|(?=(?:"[^"\\n]*"|'[^'\\n]*'|[^;\\n]*);[ \\t]*${CONN_KEYS}=))` +
        `("[^"\\n]{1,128}"|'[^'\\n]{1,128}'|[^;"'\`\\n<>\\\\]{1,128})`,
      'gim',
    ),
    replace: (_m, lead, value) => {
      const v = value.trim().replace(/^(["'])(.*)\1$/, '$2').trim();
      if (!/[A-Za-z0-9]/.test(v) || isPlaceholder(v)) return undefined; // `Password=', '` in code
      return /^["']/.test(value) ? `${lead}${value[0]}${P}${value[0]}` : `${lead}${P}${value.slice(value.trimEnd().length)}`;
    },
  },
  {
    // XML / HTML-ish config elements: <password>…</password>, <apiKey>…</apiKey>, <ns:clientSecret>,
    // CDATA too. The element name must end with a secret word; the value is judged like a quoted
    // assignment (placeholders such as {{ x }} / ${x}, URLs, numbers, lone words are kept).
    name: 'xml-secret-element',
    re: new RegExp(`(<([\\w.:-]*?(?:${SECRET_WORDS})${NAME_SUFFIX})(?:\\s[^<>\\n]*)?>\\s*(?:<!\\[CDATA\\[)?)([^\\n]{1,256}?)((?:\\]\\]>)?\\s*<\\/\\2\\s*>)`, 'gi'),
    replace: (_m, lead, name, value, tail) =>
      (value.includes('<') && !lead.endsWith('[')) || !namedSecret(name, value) ? undefined : `${lead}${P}${value.slice(value.trimEnd().length)}${tail}`,
  },
  {
    // .NET / Spring / Java-properties XML settings: <add key="SmtpPassword" value="…"/>,
    // <property name="password" value="…"/>, <setting name="ApiKey"><value>…</value></setting>.
    name: 'xml-secret-setting',
    re: /(<(?:add|property|setting|param|parameter|entry)\s[^<>]*?\b(?:key|name)\s*=\s*(\\?["'])([^"'<>\n\\]{1,128})\2(?:[^<>]*?\bvalue\s*=\s*\\?["']|[^<>]*(?<!\/)>\s*(?:<value>)?))([^"'`<\n\\]{1,256})/gi,
    replace: (_m, lead, _q, name, value) => (namedSecret(name, value) ? `${lead}${P}${value.slice(value.trimEnd().length)}` : undefined),
  },
  {
    // NAME = value / NAME: value / "name": "value" / NAME := value / 'name' => 'value'.
    // Also inside JSON strings (`\"token\": \"…\"`); a bare value may hold `#` (env files: `PWD=a#b`).
    name: 'secret-assignment',
    re: /(secret|password|passwd|pwd|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|auth[_-]?key|credential)((?:[_-]?(?:key|id|value|base|hash|b64|base64|str|string|live|prod|test|dev))*s?\\?["']?\s*(?::=|=>|=(?![=>~])|:(?![:/]))[ \t]*)(?:(\\?["'`])([^"'`\n\\]{6,256})\3|([^\s"'`,;)}\]#(\[<>][^\s"'`,;)}\](\[<>]{5,255}))/gi,
    replace: (m, keyword, middle, quote, quoted, bare) => {
      const value = quote ? quoted : bare;
      if (!isSecretValue(value, !!quote, keyword)) return undefined;
      return quote ? `${keyword}${middle}${quote}${P}${quote}` : `${keyword}${middle}${P}`;
    },
  },
];

const PLACEHOLDER = /^(?:x{3,}|\*{3,}|\.{3,}|…+|-+|changeme|change[_-]?me|example|sample|dummy|placeholder|redacted|secret|password|null|nil|none|true|false|undefined|required|optional|string|your[_-].*|my[_-].*|<.*>|\{.*\}|\$.*|%.*|\[.*\]|«.*)$/i;

function isPlaceholder(v: string): boolean {
  return PLACEHOLDER.test(v) || v.includes('«');
}

function entropy(s: string): number {
  const freq = new Map<string, number>();
  for (const c of s) freq.set(c, (freq.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of freq.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

function charClasses(s: string): number {
  return (/[a-z]/.test(s) ? 1 : 0) + (/[A-Z]/.test(s) ? 1 : 0) + (/\d/.test(s) ? 1 : 0) + (/[^A-Za-z0-9]/.test(s) ? 1 : 0);
}

/** Decides whether a value assigned to a secret-sounding name is itself a secret. */
function isSecretValue(v: string, quoted: boolean, keyword: string): boolean {
  if (v.length < 6 || isPlaceholder(v)) return false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) || /^[.~]?\//.test(v)) return false; // URLs, paths
  if (/^\d+(?:\.\d+)?$/.test(v)) return false; // ports, sizes, timeouts
  if (!quoted) {
    // Code references: os.environ, config.get, process.env.TOKEN, getToken, self.password
    if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/.test(v) && !/\d/.test(v)) return false;
    if (/^(?:process\.env|os\.environ|env|ENV|System\.getenv|config|settings|self|this|props|options|req|request)\b/.test(v)) return false;
  }
  if (/^(?:pass|pwd)/i.test(keyword)) {
    // Passwords are secrets whatever their entropy, but a lone word is more likely a label.
    return charClasses(v) >= 2 || v.length >= 12;
  }
  if (/^[a-f0-9]{32,}$/i.test(v)) return true;
  return v.length >= 16 && charClasses(v) >= 2 && entropy(v) >= 3.0;
}

export function scrubSecrets(text: string): ScrubResult {
  let out = text;
  let found = 0;
  for (const rule of RULES) {
    if (rule.needs !== undefined && !out.includes(rule.needs)) continue;
    rule.re.lastIndex = 0;
    if (!rule.re.test(out)) continue; // cheap skip: most chunks hold no secret at all
    rule.re.lastIndex = 0;
    out = out.replace(rule.re, (m: string, ...groups: unknown[]) => {
      const strs = groups.slice(0, -2).map((g) => (typeof g === 'string' ? g : '')) as string[];
      const r = rule.replace(m, ...strs);
      if (r === undefined || r === m) return m;
      found++;
      return r;
    });
  }
  return { text: out, found };
}
