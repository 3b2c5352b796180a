# nsview: build, test, install. `make test` is the one test command.

GO        ?= go
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man/man1
# Where bash-completion, zsh and fish look for completions of a command.
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
# How long each fuzz target runs in `make test`; `make fuzz` runs longer.
FUZZTIME  ?= 3s
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

# Every fuzz target, as package:Target.
FUZZ_TARGETS = \
	./internal/scan:FuzzParseStat ./internal/scan:FuzzParseNSLink ./internal/scan:FuzzParseNSpid \
	./internal/scan:FuzzParseCgroup ./internal/scan:FuzzParseCmdline ./internal/scan:FuzzParseNSFSMounts \
	./internal/scan:FuzzScan ./internal/scan:FuzzParseStatFields ./internal/scan:FuzzParseNSIDReply \
	./internal/render:FuzzEscape ./internal/render:FuzzRawEscape ./internal/render:FuzzJSONDocument ./:FuzzViews \
	./internal/render:FuzzDotString \
	./internal/container:FuzzFromCgroup ./internal/container:FuzzResolverState ./internal/container:FuzzDockerdRoots \
	./internal/filter/query:FuzzParse ./internal/filter/query:FuzzRoundTrip \
	./internal/filter/query:FuzzMatch ./internal/filter/query:FuzzRegexp \
	./internal/scan:FuzzParsePasswd \
	./internal/snapshot:FuzzLoad

.PHONY: build test vet unit fuzz fuzz-corpus install man bench clean image deploy-test

## build: a static binary ./nsview
# VERSION is what `nsview -V` prints; `go install` builds print the module version.
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)

build:
	CGO_ENABLED=0 $(GO) build -tags urfave_cli_no_docs -trimpath -ldflags='-s -w -X main.stampedVersion=$(VERSION)' -o nsview .

## test: vet, staticcheck, unit and real-kernel tests with -race, short fuzzing
test: vet unit fuzz deploy-test

vet:
	test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { gofmt -l .; echo 'gofmt: files above need formatting'; exit 1; }
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

unit:
	$(GO) test -race -count=1 -timeout 25m ./...

fuzz:
	@bash .ci/fuzz $(GO) $(FUZZTIME) $(FUZZ_TARGETS)

## deploy-test: vet, staticcheck and tests of deploy/, a module of its own
## (the manifests against the Kubernetes types, the alerts with promtool,
## the image built and run with podman)
deploy-test:
	cd deploy && $(GO) vet ./... && $(GO) run $(STATICCHECK) ./... && $(GO) test -race -count=1 ./...

## fuzz-corpus: fuzz each target for CORPUSTIME and keep what it found
## interesting under PKG/testdata/fuzz/TARGET, where go test replays it
CORPUSTIME ?= 60s
fuzz-corpus:
	@set -e; cache=$$($(GO) env GOCACHE)/fuzz/$$($(GO) list -m); \
	for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(CORPUSTIME) $$pkg; \
		mkdir -p $$pkg/testdata/fuzz/$$name; \
		cp $$cache/$${pkg#./}/$$name/* $$pkg/testdata/fuzz/$$name/ 2>/dev/null || true; \
	done

## image: the container image $(IMAGE), FROM scratch with the static binary
IMAGE ?= localhost/nsview:latest
image: build
	podman build --layers=false -f deploy/Containerfile -t $(IMAGE) .

## install: the binary, the man page and the bash, zsh and fish completions
## under $(PREFIX), staged under $(DESTDIR) if set
install: build
	install -D -m 0755 nsview $(DESTDIR)$(BINDIR)/nsview
	install -D -m 0644 docs/nsview.1 $(DESTDIR)$(MANDIR)/nsview.1
	install -D -m 0644 completions/nsview.bash $(DESTDIR)$(BASHCOMPDIR)/nsview
	install -D -m 0644 completions/_nsview $(DESTDIR)$(ZSHCOMPDIR)/_nsview
	install -D -m 0644 completions/nsview.fish $(DESTDIR)$(FISHCOMPDIR)/nsview.fish

## man: rewrite the examples' output in docs/nsview.md and docs/guide.md,
## then regenerate docs/nsview.1 (go test runs docs_test.go first)
man:
	$(GO) test -run 'TestDocExamples|TestManPage' -update .

## bench: nsview against lsns and a syscall-floor scan on a namespace-heavy population
bench:
	bash bench/run

clean:
	rm -f nsview
