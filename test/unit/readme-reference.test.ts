import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { keywordReferenceMarkdown } from '../../daemon/config/reference.js';
import { ROOT } from '../helpers/lbd-process.js';

test('README.md lists exactly the keywords the parser supports (run scripts/gen-reference.mjs after changing a keyword table)', () => {
  const readme = readFileSync(`${ROOT}/README.md`, 'utf8');
  const start = readme.indexOf('<!-- keywords:start');
  const end = readme.indexOf('<!-- keywords:end -->');
  assert.ok(start >= 0 && end > start, 'markers present');
  const body = readme.slice(readme.indexOf('\n', start) + 1, end).trim();
  assert.equal(body, keywordReferenceMarkdown().trim());
});
