import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { commandReferenceMarkdown } from '../../daemon/admin/commands.js';
import { ROOT } from '../helpers/lbd-process.js';

test('README.md lists exactly the admin commands of the command table (run scripts/gen-admin-reference.mjs after changing it)', () => {
  const readme = readFileSync(`${ROOT}/README.md`, 'utf8');
  const start = readme.indexOf('<!-- admin-commands:start');
  const end = readme.indexOf('<!-- admin-commands:end -->');
  assert.ok(start >= 0 && end > start, 'markers present');
  assert.equal(readme.slice(readme.indexOf('\n', start) + 1, end).trim(), commandReferenceMarkdown().trim());
});
