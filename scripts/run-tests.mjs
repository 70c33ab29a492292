#!/usr/bin/env node
// Runs the compiled tests with Node's own test runner. Arguments narrow the run to some folders/files;
// with none, every test under dist/test runs, and then the data-path tests run again over the `net`
// transport (the fallback for Node.js builds without the TCP handle binding). Each file is bounded by --test-timeout.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const run = (files, env = {}) =>
  spawnSync(process.execPath, ['--test', '--test-timeout=120000', '--test-reporter=spec', ...files], { stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;

const targets = process.argv.slice(2);
if (targets.length) process.exit(run(targets));
const all = ['dist/test/unit', 'dist/test/integration', 'dist/test/e2e'].filter((d) => existsSync(d));
let status = run(all);
const dataPath = ['dist/test/integration/tcp-proxy.test.js', 'dist/test/integration/apply.test.js', 'dist/test/integration/proxy-protocol.test.js', 'dist/test/integration/http-pool.test.js', 'dist/test/integration/sni-routing.test.js', 'dist/test/integration/tls-listen.test.js', 'dist/test/integration/tls-termination.test.js', 'dist/test/integration/h2-frontend.test.js'].filter((f) => existsSync(f));
if (dataPath.length) {
  console.log('\n# the data path again over the net transport (LBD_TRANSPORT=net)');
  status ||= run(dataPath, { LBD_TRANSPORT: 'net' });
}
process.exit(status);
