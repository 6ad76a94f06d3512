/** Secret scrubbing: planted secrets of every supported format never survive; ordinary code is untouched. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SECRET_PLACEHOLDER, scrubSecrets } from '../../../src/core/security/scrub';

// Assembled at runtime so this file itself does not look like it holds live secrets.
const j = (...parts: string[]) => parts.join('');
const SECRETS = {
  awsAccess: j('AKIA', 'IOSFODNN7EXAMPLQ'),
  awsSession: j('ASIA', 'Y34FZKBOKMUTVV7A'),
  awsSecret: j('wJalrXUtnFEMI/K7MDENG/', 'bPxRfiCYEXAMPLEKEYZ'),
  google: j('AIza', 'SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY'),
  gcpOauth: j('GOCSPX-', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4'),
  ghp: j('ghp_', 'aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789'),
  ghs: j('ghs_', '16C7e42F292c6912E7710c838347Ae178B4a'),
  githubPat: j('github_pat_', '11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGH'),
  gitlab: j('glpat-', 'xY7zW9vU5tS3rQ1pO2nM'),
  slack: j('xoxb-', '123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'),
  stripe: j('sk_live_', '4eC39HqLyjWDarjtT1zdp7dc'),
  stripeRestricted: j('rk_live_', '51H8sdf8s7df6sd8f7sd6f8s'),
  openai: j('sk-proj-', 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z'),
  dashscope: j('sk-', '0123456789abcdef0123456789abcdef'),
  anthropic: j('sk-ant-', 'api03-AbCdEf123456GhIjKl789012MnOpQr'),
  jwt: j('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', '.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ', '.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'),
  pemBody: j('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 'BKcwggSjAgEAAoIBAQC7'),
  bearer: j('ya29.', 'a0AfH6SMBx9Kq3ZlT0example7token'),
  basic: j('dXNlcjpw', 'YXNzd29yZDEyMw=='),
  dbPassword: j('Sup3r', 'S3cret!pw'),
  urlPassword: j('p4ss', 'W0rd99'),
  envToken: j('f9A8b7C6d5E4', 'f3A2b1C0d9E8'),
  yamlSecret: j('Zx8Yw7Vu6Ts5', 'Rq4Po3Nm2Lk1'),
  iniPassword: j('hunter', '2hunter2'),
  jsonApiKey: j('AbCd1234EfGh', '5678IjKl9012'),
  pyClientSecret: j('8f3k2Jd9sLq0', 'Zp1XvB7nM4cR'),
};

const FIXTURE = `
# Deploy notes (markdown)
Use the key ${SECRETS.awsAccess} for staging; session ${SECRETS.awsSession}.
Call with \`curl -H "Authorization: Bearer ${SECRETS.bearer}" https://api.example.com\`
or \`-H 'Authorization: Basic ${SECRETS.basic}'\`.

\`\`\`python
import os
aws_secret_access_key = "${SECRETS.awsSecret}"
GOOGLE_KEY = '${SECRETS.google}'
client_secret = "${SECRETS.pyClientSecret}"
password = os.environ["DB_PASSWORD"]  # fine: a reference
\`\`\`

// TypeScript
const gh = '${SECRETS.ghp}'; // CI token
const app = "${SECRETS.ghs}";
const pat = \`${SECRETS.githubPat}\`;
const gl = "${SECRETS.gitlab}";
const slack = '${SECRETS.slack}';
const stripe = require('stripe')('${SECRETS.stripe}');
const restricted = "${SECRETS.stripeRestricted}";
const openai = new OpenAI({ apiKey: "${SECRETS.openai}" });
const dashscope = { apiKey: '${SECRETS.dashscope}' };
const claude = "${SECRETS.anthropic}";
const session = "${SECRETS.jwt}";
const db = "postgres://admin:${SECRETS.urlPassword}@db.internal:5432/app";

{ "oauth": { "client_secret": "${SECRETS.gcpOauth}", "api_key": "${SECRETS.jsonApiKey}" } }

# .env
DB_PASSWORD=${SECRETS.dbPassword}
GITHUB_TOKEN=${SECRETS.envToken}

# config.yaml
service:
  webhook_secret: ${SECRETS.yamlSecret}

; settings.ini
[database]
password = ${SECRETS.iniPassword}

-----BEGIN RSA PRIVATE KEY-----
${SECRETS.pemBody}
-----END RSA PRIVATE KEY-----
`;

test('every planted secret is replaced, the surrounding text stays', () => {
  const r = scrubSecrets(FIXTURE);
  for (const [name, secret] of Object.entries(SECRETS)) assert.ok(!r.text.includes(secret), `${name} survived`);
  assert.ok(r.found >= Object.keys(SECRETS).length, `found ${r.found}`);
  // Names and structure are kept so search still finds the line.
  for (const kept of ['aws_secret_access_key = "', 'DB_PASSWORD=', 'webhook_secret: ', 'password = os.environ["DB_PASSWORD"]', 'postgres://admin:', '@db.internal:5432/app', '-----BEGIN RSA PRIVATE KEY-----', '-----END RSA PRIVATE KEY-----', '"client_secret": "', 'Authorization: Bearer ']) {
    assert.ok(r.text.includes(kept), `lost: ${kept}`);
  }
  assert.ok(r.text.includes(SECRET_PLACEHOLDER));
  assert.equal(scrubSecrets(r.text).found, 0, 'idempotent');
});

const ORDINARY = `
import { tokenize } from './text/tokenize';
export interface Options { token: string; apiKey?: string; password: string | undefined }
const tokens = tokenize(text);
const MAX_TOKENS = 8192;
let tokenCount = countTokens(input);
function login(password: string) { return hash(password); }
if (token === "abc") return;
const apiKey = process.env.DASHSCOPE_API_KEY;
password = config.get("db.password")
tokenizer: "bert-base-uncased-v2"
passwordless = true
secret_key_base: <%= ENV["SECRET_KEY_BASE"] %>
token: \${{ secrets.GITHUB_TOKEN }}
password: changeme
TOKEN_URL=https://oauth2.googleapis.com/token
Use sk-learn-compatible-estimators for the baseline.
const sha = "3f786850e387550fdab836ed7e6dc881de23001b"; // a commit hash, not a secret
const uuid = "123e4567-e89b-12d3-a456-426614174000";
background: url(data:image/png;base64,iVBORw0KGgo=);
The bearer of this letter is a friend. Bearer tokens are described in RFC 6750.
http://localhost:8080/path?x=1
`;

test('ordinary code, prose and config are left untouched', () => {
  const r = scrubSecrets(ORDINARY);
  assert.equal(r.found, 0, r.text.split('\n').filter((l) => l.includes(SECRET_PLACEHOLDER)).join('\n'));
  assert.equal(r.text, ORDINARY);
});

test('fast enough to run on every chunk', () => {
  const chunk = ORDINARY.repeat(4) + FIXTURE; // ~6 KB with secrets, like a busy chunk
  const clean = ORDINARY.repeat(6);
  const mb = 8;
  for (const [label, text] of [['with secrets', chunk], ['clean code', clean]] as const) {
    const n = Math.ceil((mb * 1024 * 1024) / text.length);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) scrubSecrets(text);
    const s = (performance.now() - t0) / 1000;
    const rate = (n * text.length) / 1024 / 1024 / s;
    console.log(`scrub ${label}: ${rate.toFixed(1)} MB/s`);
    // Loose bound: shared CI machines are slow; a regex gone quadratic would be far below it.
    assert.ok(rate > 1, `${label}: ${rate} MB/s`);
  }
});
