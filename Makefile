# gitopsctl — the README's two commands are `make demo` and `make test`.
GO       ?= go
BIN      := bin/gitopsctl
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X github.com/gitopsctl/gitopsctl/internal/cli.Version=$(VERSION)

# Linters run at pinned versions through go run: a machine with only Go needs nothing more.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
DEADCODE    := golang.org/x/tools/cmd/deadcode@v0.52.0

.PHONY: all build install test lint golden demo bench fmt vet clean

all: build

# Two binaries, installed side by side: gitopsctl (the front: replays a
# repeated render without starting Helm) and gitopsctl-engine (everything).
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/ ./cmd/gitopsctl ./cmd/gitopsctl-engine

install:
	$(GO) install -ldflags "$(LDFLAGS)" ./cmd/gitopsctl ./cmd/gitopsctl-engine

## test: vet, lint, then every unit, golden and end-to-end test.
test: lint
	$(GO) test -count=1 -timeout 30m ./...

## lint: go vet, staticcheck, and deadcode (with -test: code only tests use counts as used);
## any function deadcode reports as unreachable fails the build.
lint: vet
	$(GO) run $(STATICCHECK) ./...
	@echo "$(GO) run $(DEADCODE) -test ./..."
	@out=$$($(GO) run $(DEADCODE) -test ./...) || exit 1; \
	if [ -n "$$out" ]; then echo "$$out"; echo "deadcode: the functions above are unreachable: delete them"; exit 1; fi

## golden: rewrite the golden files (and testscript cmp files) from the current output;
## review the diff before committing.
GOLDEN_PKGS = $(shell $(GO) list -f '{{.ImportPath}} {{join .TestImports " "}} {{join .XTestImports " "}}' ./... | awk '/internal\/testutil\/golden( |$$)/ {print $$1}')
golden:
	$(GO) test -count=1 $(GOLDEN_PKGS) -update

## demo: build, then create and exercise an example gitops-repo + configs-repo in ./demo.
demo: build
	./scripts/demo.sh $(BIN) demo

## bench: Go benchmarks and ratios against the helm, kubeseal and git CLIs.
bench: build
	./scripts/bench.sh $(BIN)

fmt:
	gofmt -w cmd internal templates

vet:
	$(GO) vet ./...

clean:
	rm -rf bin demo .bench
