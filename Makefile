# lbd: two commands on a fresh machine: `make demo` and `make test`.
NODE_MODULES_STAMP := node_modules/.installed

.PHONY: all build test test-unit demo bench clean reference

all: build

$(NODE_MODULES_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

build: $(NODE_MODULES_STAMP)
	npx tsc -p tsconfig.json

# Every test: unit, integration (real sockets on loopback), end to end (spawned lbd/lbctl).
test: build
	node scripts/run-tests.mjs

test-unit: build
	node scripts/run-tests.mjs dist/test/unit

# Three demo backends + lbd on examples/demo.cfg + lbctl top on it (q quits and stops everything; --no-top via DEMO_ARGS).
demo: build
	node dist/examples/demo.js $(DEMO_ARGS)

# lbd beside HAProxy, a bare Node pipe proxy (TCP) and nginx and node-http-proxy (HTTP), same backends, one run; prints ratios.
bench: build
	node dist/bench/run.js

# Regenerate the configuration reference in README.md from the parser's keyword tables.
reference: build
	node scripts/gen-reference.mjs

clean:
	rm -rf dist
