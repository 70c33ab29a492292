#!/usr/bin/env node
// Runs the compiled tests with Node's own test runner. Arguments narrow the run to some folders/files;
// with none, every test under dist/test runs. Each file is bounded by --test-timeout.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const targets = process.argv.slice(2);
const dirs = targets.length ? targets : ['dist/test/unit', 'dist/test/integration', 'dist/test/e2e'].filter((d) => existsSync(d));
const args = ['--test', '--test-timeout=120000', '--test-reporter=spec', ...dirs];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
