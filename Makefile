# gitopsctl — the README's two commands are `make demo` and `make test`.
GO       ?= go
BIN      := bin/gitopsctl
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X github.com/gitopsctl/gitopsctl/internal/cli.Version=$(VERSION)

.PHONY: all build install test golden demo bench fmt vet clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/gitopsctl

install:
	$(GO) install -ldflags "$(LDFLAGS)" ./cmd/gitopsctl

## test: vet, then every unit, golden and end-to-end test.
test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

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
