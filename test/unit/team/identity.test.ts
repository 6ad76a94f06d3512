/** Repository identity: every spelling of one origin names one repository; a local path never does. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { normalizeRemoteUrl, repoIdentity, TeamIndexError } from '../../../src/core/team';
import { classifyPgError, redactUrl } from '../../../src/core/team/errors';

test('the spellings of one origin remote normalize to one identity', () => {
  const forms = [
    'git@github.com:Example/Team-Repo.git', 'https://github.com/example/team-repo', 'https://user@github.com/Example/Team-Repo.git/',
    'ssh://git@github.com/Example/Team-Repo.git', 'ssh://git@github.com:22/example/team-repo', 'git://github.com/example/team-repo.git',
  ];
  for (const f of forms) assert.equal(normalizeRemoteUrl(f), 'github.com/example/team-repo', f);
  assert.equal(normalizeRemoteUrl('https://git.example.com:8443/a/b.git'), 'git.example.com:8443/a/b', 'a non-default port is part of the name');
});

test('a folder without an origin needs --repo-id, and a --repo-id wins', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sw-team-id-'));
  assert.throws(() => repoIdentity(dir), (e: unknown) => e instanceof TeamIndexError && e.kind === 'config' && /--repo-id/.test(e.message));
  assert.equal(repoIdentity(dir, 'acme/notes').id, 'acme/notes');
  spawnSync('git', ['-C', dir, 'init', '-q']);
  spawnSync('git', ['-C', dir, 'remote', 'add', 'origin', 'git@gitlab.com:Acme/Notes.git']);
  assert.equal(repoIdentity(dir).id, 'gitlab.com/acme/notes');
  assert.ok(!repoIdentity(dir).id.includes(dir), 'never the local path');
});

test('errors name the host and never the password', () => {
  assert.equal(redactUrl('postgres://alice:s3cret@db.example.com:5432/team'), 'postgres://alice:***@db.example.com:5432/team');
  const e = classifyPgError({ code: '28P01', message: 'password authentication failed for user "alice"' }, 'db.example.com:5432', 'connecting');
  assert.equal(e.kind, 'auth');
  assert.match(e.message, /db\.example\.com:5432/);
  assert.equal(classifyPgError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, 'h:1', 'connecting').kind, 'unreachable');
  assert.equal(classifyPgError({ message: 'no pg_hba.conf entry for host "1.2.3.4", user "a", database "b", no encryption' }, 'h:1', 'connecting').kind, 'tls');
});
