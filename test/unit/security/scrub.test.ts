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

// Formats added later: registry tokens, Azure connection strings and SAS signatures, curl -u,
// XML / .NET / Spring config and ADO.NET connection strings. Each case: the text, the secret that
// must go, and what must stay (the key name, the user, the rest of the connection string).
const b64 = (n: number) => j('Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z+/Zq'.repeat(3)).slice(0, n);
const MORE = {
  npm: j('npm_', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'),
  hf: j('hf_', 'jDAqxDrjGjYRbkPEsTbcUfkdeSsVcWnICU'),
  sendgrid: j('SG.', 'aBcD1234efGH5678ijKL90', '.', 'mnOP1234qrST5678uvWX90yzAB1234cdEF5678ghIJ9'),
  azureAccountKey: b64(86) + '==',
  azureSharedKey: b64(43) + '=',
  sasSig: encodeURIComponent(b64(43) + '='),
  curlPass: j('S3cr3t', 'Pw!x'),
  curlPass2: j('n0t', 'InHistory'),
  xmlPassword: j('Tr0ub4', 'dor&3x'),
  xmlApiKey: j('k3yWith<', 'Brackets>99'),
  xmlSecret: j('Zx8Yw7Vu6', 'Ts5Rq4Po3'),
  addKey: j('Hunter2', 'Hunter2!'),
  springProp: j('Sup3r', 'Spr1ng!'),
  settingValue: j('Ab3dEf6hIj9k', 'Lm2nOp5q'),
  entryValue: j('S3cret', '!Entry'),
  adoPassword: j('MySecret', 'Password'), // identifier-like: only the connection string says it is one
  odbcPwd: j('letm', 'ein'), // one lower-case word: a label elsewhere, a password here
  quotedPwd: j('p@ss;', 'word9'),
};
const MORE_CASES: { name: string; text: string; secret: string; kept: string[] }[] = [
  { name: 'npm token', text: `Publish from CI with ${MORE.npm} (rotated monthly).`, secret: MORE.npm, kept: ['Publish from CI with ', ' (rotated monthly).'] },
  { name: 'npm token in .npmrc', text: `//registry.npmjs.org/:_authToken=${MORE.npm}`, secret: MORE.npm, kept: ['//registry.npmjs.org/:_authToken='] },
  { name: 'Hugging Face token', text: `huggingface-cli login --token ${MORE.hf}  # hf_hub_download needs it`, secret: MORE.hf, kept: ['huggingface-cli login --token ', '# hf_hub_download needs it'] },
  { name: 'SendGrid key', text: `sgMail.setApiKey('${MORE.sendgrid}');`, secret: MORE.sendgrid, kept: ["sgMail.setApiKey('", "');"] },
  {
    name: 'Azure storage AccountKey',
    text: `DefaultEndpointsProtocol=https;AccountName=prodacct;AccountKey=${MORE.azureAccountKey};EndpointSuffix=core.windows.net`,
    secret: MORE.azureAccountKey,
    kept: ['DefaultEndpointsProtocol=https;AccountName=prodacct;AccountKey=', ';EndpointSuffix=core.windows.net'],
  },
  {
    name: 'Azure Service Bus SharedAccessKey',
    text: `Endpoint=sb://orders.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${MORE.azureSharedKey}`,
    secret: MORE.azureSharedKey,
    kept: ['Endpoint=sb://orders.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey='],
  },
  {
    name: 'Azure SAS URL sig=',
    text: `https://acct.blob.core.windows.net/c/report.csv?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&spr=https&sig=${MORE.sasSig}`,
    secret: MORE.sasSig,
    kept: ['https://acct.blob.core.windows.net/c/report.csv?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&spr=https&sig='],
  },
  {
    name: 'Azure SharedAccessSignature in a connection string',
    text: `BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=sv=2020-08-04&ss=b&sig=${MORE.sasSig}&se=2030-01-01`,
    secret: MORE.sasSig,
    kept: ['BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=sv=2020-08-04&ss=b&sig=', '&se=2030-01-01'],
  },
  {
    name: 'Service Bus SAS token',
    text: `Authorization: SharedAccessSignature sr=https%3A%2F%2Fns.servicebus.windows.net%2Fq&sig=${MORE.sasSig}&se=1735689600&skn=Send`,
    secret: MORE.sasSig,
    kept: ['SharedAccessSignature sr=https%3A%2F%2Fns.servicebus.windows.net%2Fq&sig=', '&se=1735689600&skn=Send'],
  },
  { name: 'curl -u', text: `curl -s -u deploy:${MORE.curlPass} https://ci.example.com/api`, secret: MORE.curlPass, kept: ['curl -s -u deploy:', ' https://ci.example.com/api'] },
  {
    name: 'curl --user, quoted, continued line',
    text: `curl -X POST \\\n  --user "svc-bot:${MORE.curlPass2}" \\\n  https://ci.example.com/api`,
    secret: MORE.curlPass2,
    kept: ['curl -X POST', '--user "svc-bot:', '"', 'https://ci.example.com/api'],
  },
  { name: 'XML <password>', text: `<server><id>nexus</id><username>deploy</username><password>${MORE.xmlPassword}</password></server>`, secret: MORE.xmlPassword, kept: ['<username>deploy</username><password>', '</password></server>'] },
  { name: 'XML <apiKey> CDATA', text: `<apiKey><![CDATA[${MORE.xmlApiKey}]]></apiKey>`, secret: MORE.xmlApiKey, kept: ['<apiKey><![CDATA[', ']]></apiKey>'] },
  { name: 'XML <secret> on its own lines', text: `<secret>\n    ${MORE.xmlSecret}\n</secret>`, secret: MORE.xmlSecret, kept: ['<secret>\n    ', '\n</secret>'] },
  { name: '.NET <add key value>', text: `<appSettings>\n  <add key="SmtpPassword" value="${MORE.addKey}" />\n</appSettings>`, secret: MORE.addKey, kept: ['<add key="SmtpPassword" value="', '" />'] },
  { name: 'Spring <property>', text: `<property name="password" value="${MORE.springProp}"/>`, secret: MORE.springProp, kept: ['<property name="password" value="', '"/>'] },
  { name: '.NET <setting><value>', text: `<setting name="ApiKey" serializeAs="String">\n  <value>${MORE.settingValue}</value>\n</setting>`, secret: MORE.settingValue, kept: ['<setting name="ApiKey" serializeAs="String">', '</value>'] },
  { name: 'Java properties XML <entry>', text: `<entry key="db.password">${MORE.entryValue}</entry>`, secret: MORE.entryValue, kept: ['<entry key="db.password">', '</entry>'] },
  {
    name: 'ADO.NET Password=',
    text: `<add name="Default" connectionString="Server=tcp:db.example.com,1433;Initial Catalog=app;User ID=svc;Password=${MORE.adoPassword};Encrypt=True;" />`,
    secret: MORE.adoPassword,
    kept: ['Server=tcp:db.example.com,1433;Initial Catalog=app;User ID=svc;Password=', ';Encrypt=True;'],
  },
  { name: 'ODBC Pwd=', text: `var cs = "Driver={ODBC Driver 18 for SQL Server};Server=db;Uid=app;Pwd=${MORE.odbcPwd};";`, secret: MORE.odbcPwd, kept: ['Server=db;Uid=app;Pwd=', ';";'] },
  { name: 'ADO.NET quoted Password first', text: `Password='${MORE.quotedPwd}';Data Source=db;User Id=app`, secret: MORE.quotedPwd, kept: ["Password='", "';Data Source=db;User Id=app"] },
];

test('newer formats: npm, Hugging Face, SendGrid, Azure, curl -u, XML config, ADO.NET — secret gone, the rest kept', () => {
  for (const c of MORE_CASES) {
    const r = scrubSecrets(c.text);
    assert.ok(!r.text.includes(c.secret), `${c.name}: survived in ${r.text}`);
    assert.ok(r.found >= 1 && r.text.includes(SECRET_PLACEHOLDER), `${c.name}: ${r.text}`);
    for (const kept of c.kept) assert.ok(r.text.includes(kept), `${c.name}: lost ${JSON.stringify(kept)} in ${r.text}`);
    assert.equal(scrubSecrets(r.text).found, 0, `${c.name}: not idempotent`);
  }
  // Basic credentials in a header were already covered; still are, next to curl -u.
  const basic = scrubSecrets(`curl --basic -H "Authorization: Basic ${SECRETS.basic}" https://x`);
  assert.ok(!basic.text.includes(SECRETS.basic));
  // The same secrets inside JSON strings (escaped quotes), as in a notebook or settings.json.
  const json = JSON.stringify({ add: MORE_CASES.find((c) => c.name.startsWith('.NET <add'))?.text, cs: MORE_CASES.find((c) => c.name === 'ADO.NET Password=')?.text });
  const rj = scrubSecrets(json);
  assert.ok(!rj.text.includes(MORE.addKey) && !rj.text.includes(MORE.adoPassword), rj.text);
});

// Lookalikes of the newer formats in ordinary code and config: nothing here may change.
const LOOKALIKES = `
from huggingface_hub import hf_hub_download, hf_api
hf_token = os.environ["HF_TOKEN"]
hf_modelRepositoryDownloadHelperFn(repo)
const version = process.env.npm_package_version ?? process.env.npm_config_registry;
const MSG = { length: 3 }; MSG.length; SG.API_KEY; sg.send(msg);
const accountKey = config.accountKey;
conn_str = f"AccountKey={account_key};AccountName={name}"
AccountKey=<your-storage-key>;SharedAccessKey=YOUR_SHARED_ACCESS_KEY
sig = inspect.signature(fn); params = {"sig": "abc"}
curl -u "$CI_USER:$CI_TOKEN" https://ci.example.com/api
curl -u deploy: https://ci.example.com/api
curl --user-agent "Agent:1.0" https://x && docker run -u 1000:1000 img
git push -u origin main; docker exec -u root:root app sh
conn = psycopg2.connect(host="db", user=user, password=pw)
const cs = \`Server=\${host};Database=\${db};User Id=\${user};Password=\${pwd};\`;
connectionString="Server=db;Database=app;User Id=app;Password=********;"
string.Format("Server={0};Password={1};", host, pwd)
export interface Login { user: string; password: string; passwordConfirm?: string }
function check(password: string, token?: string): boolean { return password.length > 8; }
<password>{{ placeholder }}</password>
<password>\${env.NEXUS_PASSWORD}</password>
<apiKey>YOUR_API_KEY</apiKey>
<token>string</token>
<passwordPolicy>strict</passwordPolicy>
<tokenizer>bert-base-uncased-v2</tokenizer>
<maxTokens>8192</maxTokens>
<label for="password">Password</label><input type="password" name="password" value="" />
<string name="password">Password</string>
<add key="PasswordRequiredLength" value="12" />
<add key="TokenLifetime" value="00:30:00" />
<add key="ApiBaseUrl" value="https://api.example.com/v2" />
<property name="password" value="\${db.password}"/>
const parsed: Array<Token> = []; let p: Promise<Secret>;
`;

test('lookalikes of the newer formats in ordinary code and config are left untouched', () => {
  const r = scrubSecrets(LOOKALIKES);
  assert.equal(r.found, 0, r.text.split('\n').filter((l) => l.includes(SECRET_PLACEHOLDER)).join('\n'));
  assert.equal(r.text, LOOKALIKES);
});

test('fast enough to run on every chunk', () => {
  const chunk = ORDINARY.repeat(4) + FIXTURE; // ~6 KB with secrets, like a busy chunk
  const clean = ORDINARY.repeat(5) + LOOKALIKES;
  const mb = 8;
  for (const [label, text] of [['with secrets', chunk], ['clean code', clean]] as const) {
    const n = Math.ceil((mb * 1024 * 1024) / text.length);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) scrubSecrets(text);
    const c = process.cpuUsage(c0);
    const wall = (n * text.length) / 1024 / 1024 / ((performance.now() - t0) / 1000);
    // CPU time, not wall time: the suites run side by side and a busy machine must not fail this.
    const rate = (n * text.length) / 1024 / 1024 / ((c.user + c.system) / 1e6);
    console.log(`scrub ${label}: ${rate.toFixed(1)} MB/s of CPU time (${wall.toFixed(1)} MB/s wall)`);
    // Loose bound: shared CI machines are slow; a regex gone quadratic would be far below it.
    assert.ok(rate > 1, `${label}: ${rate} MB/s`);
  }
});
