/**
 * Planted secrets for the secrets suite: one generator per format scrub.ts supports, each placed
 * in code, comments, Markdown and config files next to a unique anchor word, so a leak can be
 * found in every request body and the surrounding code can still be searched for.
 */
import { pick } from './support';

export interface Planted {
  readonly format: string;
  /** Strings that must never leave the machine (the secret, or each line of a key block). */
  readonly needles: string[];
  /** A word next to the secret that search must still find. */
  readonly anchor: string;
  readonly file: string;
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const HEX = '0123456789abcdef';
const B64 = ALNUM + '+/';
const URLSAFE = ALNUM + '_-';

function str(r: () => number, n: number, alphabet: string): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
  return s;
}

/** Random, with every character class the detectors look for (upper, lower, digit). */
function mixed(r: () => number, n: number, alphabet = ALNUM): string {
  return str(r, 1, UPPER) + str(r, 1, LOWER) + str(r, 1, DIGITS) + str(r, n - 3, alphabet);
}

function b64url(s: string): string {
  return Buffer.from(s).toString('base64url');
}

/** A secret of one format: its text as written, and the parts that must not leak. */
interface Secret {
  readonly format: string;
  readonly text: string;
  readonly needles: string[];
  /** Written as an assignment (`name = value`) rather than a bare token. */
  readonly assignment?: boolean;
}

type Gen = (r: () => number) => Secret;

function pem(r: () => number, label: string, lines: number): { block: string; body: string[] } {
  const body = Array.from({ length: lines }, () => str(r, 64, B64));
  body.push(str(r, 20, B64) + '==');
  return { block: `-----BEGIN ${label}-----\n${body.join('\n')}\n-----END ${label}-----`, body };
}

/** A private key block of `lines` base64 lines (plus a short last one); every body line is a needle. */
function keyBlock(label: string, lines: number): Gen {
  return (r) => {
    const p = pem(r, label, lines);
    return { format: 'private-key-block', text: p.block, needles: p.body };
  };
}

export const GENERATORS: Readonly<Record<string, Gen>> = {
  'private-key-block (RSA)': keyBlock('RSA PRIVATE KEY', 8),
  'private-key-block (OpenSSH)': keyBlock('OPENSSH PRIVATE KEY', 6),
  'private-key-block (PGP)': keyBlock('PGP PRIVATE KEY BLOCK', 5),
  // Real key sizes: a 4096-bit RSA key is 51 lines of base64, an armored PGP private key ~100.
  'private-key-block (RSA 4096, 51 lines)': keyBlock('RSA PRIVATE KEY', 50),
  'private-key-block (PGP, 100 lines)': keyBlock('PGP PRIVATE KEY BLOCK', 99),
  'private-key-block (JSON-escaped)': (r) => {
    const p = pem(r, 'PRIVATE KEY', 6);
    return { format: 'private-key-block', text: p.block.replace(/\n/g, '\\n'), needles: p.body };
  },
  'aws-access-key-id': (r) => {
    const v = 'AKIA' + str(r, 16, UPPER + DIGITS);
    return { format: 'aws-access-key-id', text: v, needles: [v] };
  },
  'aws-secret-access-key': (r) => {
    const v = mixed(r, 40, B64);
    return { format: 'aws-secret-access-key', text: `aws_secret_access_key = ${v}`, needles: [v], assignment: true };
  },
  'google-api-key': (r) => {
    const v = 'AIza' + mixed(r, 35, URLSAFE);
    return { format: 'google-api-key', text: v, needles: [v] };
  },
  'google-oauth-secret': (r) => {
    const v = 'GOCSPX-' + mixed(r, 28, URLSAFE);
    return { format: 'google-oauth-secret', text: v, needles: [v] };
  },
  'github-token': (r) => {
    const v = pick(r, ['ghp', 'gho', 'ghu', 'ghs', 'ghr']) + '_' + mixed(r, 36);
    return { format: 'github-token', text: v, needles: [v] };
  },
  'github-pat': (r) => {
    const v = 'github_pat_' + mixed(r, 22) + '_' + mixed(r, 59);
    return { format: 'github-pat', text: v, needles: [v] };
  },
  'gitlab-token': (r) => {
    const v = 'glpat-' + mixed(r, 20, URLSAFE);
    return { format: 'gitlab-token', text: v, needles: [v] };
  },
  'slack-token': (r) => {
    const v = pick(r, ['xoxb', 'xoxp', 'xoxa', 'xoxs']) + '-' + str(r, 12, DIGITS) + '-' + str(r, 13, DIGITS) + '-' + mixed(r, 24);
    return { format: 'slack-token', text: v, needles: [v] };
  },
  'slack-webhook': (r) => {
    const path = `T${str(r, 8, UPPER + DIGITS)}/B${str(r, 10, UPPER + DIGITS)}/${mixed(r, 24)}`;
    return { format: 'slack-webhook', text: `https://hooks.slack.com/services/${path}`, needles: [path] };
  },
  'stripe-key': (r) => {
    const v = pick(r, ['sk_live_', 'sk_test_', 'rk_live_']) + mixed(r, 24);
    return { format: 'stripe-key', text: v, needles: [v] };
  },
  'anthropic-key': (r) => {
    const v = 'sk-ant-api03-' + mixed(r, 40, URLSAFE);
    return { format: 'anthropic-key', text: v, needles: [v] };
  },
  'sk-key (DashScope)': (r) => {
    const v = 'sk-' + str(r, 1, DIGITS) + str(r, 31, HEX);
    return { format: 'sk-key', text: v, needles: [v] };
  },
  'sk-key (OpenAI project)': (r) => {
    const v = 'sk-proj-' + mixed(r, 48, URLSAFE);
    return { format: 'sk-key', text: v, needles: [v] };
  },
  jwt: (r) => {
    const v = `eyJ${b64url('{"alg":"HS256","typ":"JWT"}').slice(3)}.eyJ${b64url(`{"sub":"${str(r, 10, DIGITS)}","name":"user${str(r, 4, LOWER)}"}`).slice(3)}.${str(r, 43, URLSAFE)}`;
    return { format: 'jwt', text: v, needles: [v] };
  },
  'authorization-header (Basic)': (r) => {
    const v = Buffer.from(`svc-${str(r, 6, LOWER)}:${mixed(r, 14)}`).toString('base64');
    return { format: 'authorization-header', text: `Authorization: Basic ${v}`, needles: [v] };
  },
  'authorization-header (Token)': (r) => {
    const v = mixed(r, 32);
    return { format: 'authorization-header', text: `Authorization: Token ${v}`, needles: [v] };
  },
  'bearer-token': (r) => {
    const v = mixed(r, 40, ALNUM + '._-');
    return { format: 'bearer-token', text: `Bearer ${v}`, needles: [v] };
  },
  'url-credentials': (r) => {
    const pass = mixed(r, 18);
    return { format: 'url-credentials', text: `${pick(r, ['postgres', 'mysql', 'redis', 'amqp', 'mongodb+srv', 'https'])}://app_user:${pass}@db-${str(r, 4, LOWER)}.internal:5432/main`, needles: [pass] };
  },
  'secret-assignment (password)': (r) => {
    const v = mixed(r, 16, ALNUM + '!#%&*');
    return { format: 'secret-assignment', text: `${pick(r, ['DB_PASSWORD', 'password', 'adminPassword', 'smtp_passwd', 'REDIS_PWD'])}=${v}`, needles: [v], assignment: true };
  },
  'secret-assignment (token)': (r) => {
    const v = mixed(r, 32);
    return { format: 'secret-assignment', text: `${pick(r, ['access_token', 'REFRESH_TOKEN', 'authToken', 'bot_token'])}: "${v}"`, needles: [v], assignment: true };
  },
  'secret-assignment (api key)': (r) => {
    const v = mixed(r, 28);
    return { format: 'secret-assignment', text: `${pick(r, ['api_key', 'apiKey', 'API-KEY', 'x_api_key'])} = '${v}'`, needles: [v], assignment: true };
  },
  'secret-assignment (client secret)': (r) => {
    const v = mixed(r, 34, URLSAFE);
    return { format: 'secret-assignment', text: `"${pick(r, ['client_secret', 'clientSecret', 'webhook_secret', 'JWT_SECRET'])}": "${v}"`, needles: [v], assignment: true };
  },
  'secret-assignment (private key id)': (r) => {
    const v = str(r, 1, DIGITS) + str(r, 39, HEX);
    return { format: 'secret-assignment', text: `private_key_id := "${v}"`, needles: [v], assignment: true };
  },
  'secret-assignment (compound name)': (r) => {
    const v = str(r, 1, DIGITS) + str(r, 63, HEX);
    return { format: 'secret-assignment', text: `${pick(r, ['SECRET_KEY_BASE', 'secret_key_base', 'STRIPE_SECRET_KEY', 'DJANGO_SECRET_KEY', 'GITHUB_CLIENT_SECRET'])} = "${v}"`, needles: [v], assignment: true };
  },
  'npm-token': (r) => {
    const v = 'npm_' + mixed(r, 36);
    return { format: 'npm-token', text: v, needles: [v] };
  },
  // Hugging Face tokens are letters only (hf_ + 34), no digit to lean on.
  'huggingface-token': (r) => {
    const v = 'hf_' + str(r, 1, UPPER) + str(r, 1, LOWER) + str(r, 32, UPPER + LOWER);
    return { format: 'huggingface-token', text: v, needles: [v] };
  },
  'sendgrid-key': (r) => {
    const v = `SG.${mixed(r, 22, URLSAFE)}.${mixed(r, 43, URLSAFE)}`;
    return { format: 'sendgrid-key', text: v, needles: [v] };
  },
  'azure-account-key': (r) => {
    const key = mixed(r, 86, B64) + '==';
    return { format: 'azure-account-key', text: `DefaultEndpointsProtocol=https;AccountName=st${str(r, 8, LOWER)};AccountKey=${key};EndpointSuffix=core.windows.net`, needles: [key] };
  },
  'azure-account-key (SharedAccessKey)': (r) => {
    const key = mixed(r, 43, B64) + '=';
    return { format: 'azure-account-key', text: `Endpoint=sb://ns-${str(r, 6, LOWER)}.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${key}`, needles: [key] };
  },
  'azure-sas-signature (URL)': (r) => {
    const sig = encodeURIComponent(mixed(r, 43, B64) + '=');
    return { format: 'azure-sas-signature', text: `https://st${str(r, 8, LOWER)}.blob.core.windows.net/exports/daily.csv?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&spr=https&sig=${sig}`, needles: [sig] };
  },
  'azure-sas-signature (SharedAccessSignature)': (r) => {
    const sig = encodeURIComponent(mixed(r, 43, B64) + '=');
    return { format: 'azure-sas-signature', text: `SharedAccessSignature sr=https%3A%2F%2Fns-${str(r, 6, LOWER)}.servicebus.windows.net%2Forders&sig=${sig}&se=1893456000&skn=send`, needles: [sig] };
  },
  'curl-user': (r) => {
    const pass = mixed(r, 16, ALNUM + '!%*');
    const user = `svc-${str(r, 5, LOWER)}`;
    const auth = pick(r, [`-u ${user}:${pass}`, `--user ${user}:${pass}`, `-u '${user}:${pass}'`]);
    return { format: 'curl-user', text: `curl -fsS ${auth} https://ci.example.com/api/v4/jobs`, needles: [pass] };
  },
  'xml-secret-element': (r) => {
    const v = mixed(r, 20, ALNUM + '!#%*');
    const tag = pick(r, ['password', 'secret', 'apiKey', 'clientSecret', 'keystorePassword']);
    return { format: 'xml-secret-element', text: `<server><id>nexus</id><username>deploy</username><${tag}>${v}</${tag}></server>`, needles: [v] };
  },
  'xml-secret-setting': (r) => {
    const v = mixed(r, 20, ALNUM + '!#%*');
    const text = pick(r, [
      `<add key="${pick(r, ['SmtpPassword', 'Stripe:SecretKey', 'ApiKey', 'ClientSecret', 'AuthToken'])}" value="${v}" />`,
      `<property name="${pick(r, ['password', 'dataSource.password', 'clientSecret'])}" value="${v}"/>`,
    ]);
    return { format: 'xml-secret-setting', text, needles: [v] };
  },
  'connection-string-password': (r) => {
    // Identifier-like on purpose: only the connection string around it says it is a password.
    const v = pick(r, ['Winter', 'Summer', 'Harbor', 'Falcon']) + pick(r, ['Garden', 'Rocket', 'Silver']) + str(r, 6, LOWER);
    const text = pick(r, [
      `Server=tcp:sql-${str(r, 6, LOWER)}.database.windows.net,1433;Initial Catalog=app;User ID=svc_app;Password=${v};Encrypt=True;`,
      `Driver={ODBC Driver 18 for SQL Server};Server=db-${str(r, 4, LOWER)};Database=app;Uid=app;Pwd=${v};`,
    ]);
    return { format: 'connection-string-password', text, needles: [v] };
  },
  'secret-assignment (credential)': (r) => {
    const v = mixed(r, 24);
    return { format: 'secret-assignment', text: `'credential' => '${v}'`, needles: [v], assignment: true };
  },
};

type Placement = 'code' | 'comment' | 'markdown' | 'config';

/** A unique lower-case word per number (one token for the tokenizer: no digits, no case change). */
export function anchorWord(n: number): string {
  let s = '';
  let x = n;
  do {
    s += 'bcdfghjklmnpqrstvwxz'[x % 20] + 'aeiou'[Math.floor(x / 20) % 5];
    x = Math.floor(x / 100);
  } while (x > 0);
  return `zyq${s}vex`;
}

/** Wraps a secret in one kind of surrounding text, next to `anchor`. */
function place(s: Secret, where: Placement, anchor: string, lang: 'ts' | 'py' | 'go' | 'yaml' | 'json' | 'ini' | 'md'): string {
  const multiline = s.text.includes('\n');
  switch (where) {
    case 'code':
      if (lang === 'py') {
        if (multiline) return `def ${anchor}_key():\n    """Returns the signing key."""\n    return """${s.text}"""\n`;
        return s.assignment ? `def ${anchor}_setup():\n    ${s.text}\n    return connect()\n` : `def ${anchor}_client():\n    return Client(credential="${s.text}")\n`;
      }
      if (lang === 'go') {
        if (multiline) return `// ${anchor}Key is the signing key.\nconst ${anchor}Key = \`${s.text}\`\n`;
        return s.assignment ? `func ${anchor}Setup() {\n\t// ${s.text}\n\tconnect()\n}\n` : `func ${anchor}Client() *Client {\n\treturn NewClient("${s.text}")\n}\n`;
      }
      if (multiline) return `export const ${anchor}Key = \`${s.text}\`;\n`;
      return s.assignment
        ? `export function ${anchor}Setup(): void {\n  const settings = \`${s.text}\`;\n  connect(settings);\n}\n`
        : `export function ${anchor}Client(): Client {\n  return new Client({ key: '${s.text}' });\n}\n`;
    case 'comment':
      if (lang === 'py') return `def ${anchor}_job():\n    # rotated last week; old value was ${s.text.replace(/\n/g, '\n    # ')}\n    return run()\n`;
      return `// ${anchor}: temporary credential for the staging job, remove before release\n// ${s.text.replace(/\n/g, '\n// ')}\nfunction ${anchor}Job() {\n  return run();\n}\n`;
    case 'markdown':
      if (multiline) return `## ${anchor} setup\n\nPaste this into the deploy box for ${anchor}:\n\n\`\`\`\n${s.text}\n\`\`\`\n`;
      return `## ${anchor} setup\n\nFor the ${anchor} integration use \`${s.text}\` in the environment, then restart the worker.\n`;
    case 'config':
      if (lang === 'json') return `  "${anchor}": { "enabled": true, "value": ${JSON.stringify(s.text)} },\n`;
      if (lang === 'ini') return `[${anchor}]\nenabled = true\n${s.assignment ? s.text : `value = ${s.text.replace(/\n/g, '\\n')}`}\n`;
      return `${anchor}:\n  enabled: true\n  ${s.assignment ? s.text.replace(/\s*(?::=|=>|=|:)\s*/, ': ') : `value: ${multiline ? `|\n    ${s.text.replace(/\n/g, '\n    ')}` : JSON.stringify(s.text)}`}\n`;
  }
}

/**
 * A repository of `files` files holding `perFile` secrets each (every format, every placement,
 * in turn), with ordinary code around them. Returns the files and what was planted.
 */
export function secretRepo(r: () => number, files: number, perFile: number): { tree: Map<string, string>; planted: Planted[] } {
  const tree = new Map<string, string>();
  const planted: Planted[] = [];
  const formats = Object.keys(GENERATORS);
  const kinds: { ext: string; lang: 'ts' | 'py' | 'go' | 'yaml' | 'json' | 'ini' | 'md'; where: Placement[] }[] = [
    { ext: 'ts', lang: 'ts', where: ['code', 'comment'] },
    { ext: 'py', lang: 'py', where: ['code', 'comment'] },
    { ext: 'go', lang: 'go', where: ['code', 'comment'] },
    { ext: 'md', lang: 'md', where: ['markdown'] },
    { ext: 'yaml', lang: 'yaml', where: ['config'] },
    { ext: 'json', lang: 'json', where: ['config'] },
    { ext: 'ini', lang: 'ini', where: ['config'] },
    // A Jupyter notebook: Python source kept as JSON strings (quotes escaped, lines as items).
    { ext: 'ipynb', lang: 'py', where: ['code', 'comment'] },
  ];
  let n = 0;
  for (let f = 0; f < files; f++) {
    const kind = kinds[f % kinds.length];
    const file = `${pick(r, ['services', 'infra', 'docs', 'ops', 'app'])}/${kind.ext === 'md' ? 'notes' : kind.ext === 'ipynb' ? 'analysis' : 'config'}_${f}.${kind.ext}`;
    const parts: string[] = [];
    if (kind.lang === 'go') parts.push('package main\n');
    if (kind.lang === 'json') parts.push('{\n');
    for (let k = 0; k < perFile; k++) {
      const format = formats[n % formats.length];
      const s = GENERATORS[format](r);
      const anchor = anchorWord(n);
      parts.push(place(s, kind.where[k % kind.where.length], anchor, kind.lang));
      // Ordinary text between the secrets, so chunks hold more than the secret.
      if (kind.lang === 'md') parts.push(`Ordinary paragraph ${n} about the retry policy and the queue depth of the worker pool.\n`);
      else if (kind.lang === 'ts') parts.push(`export function helper${n}(x: number): number {\n  return x * ${n};\n}\n`);
      else if (kind.lang === 'py') parts.push(`def helper_${n}(x):\n    return x * ${n}\n`);
      else if (kind.lang === 'go') parts.push(`func helper${n}(x int) int {\n\treturn x * ${n}\n}\n`);
      planted.push({ format, needles: s.needles, anchor, file });
      n++;
    }
    if (kind.lang === 'json') parts.push(`  "last": { "enabled": false }\n}\n`);
    if (kind.ext === 'ipynb') {
      const cells = parts.map((code) => ({ cell_type: 'code', metadata: {}, outputs: [], source: code.split('\n').map((l) => l + '\n') }));
      tree.set(file, JSON.stringify({ cells, metadata: { kernelspec: { name: 'python3' } }, nbformat: 4, nbformat_minor: 5 }, null, 1));
    } else tree.set(file, parts.join('\n'));
  }
  return { tree, planted };
}
