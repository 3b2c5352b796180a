package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/prometheus/exporter-toolkit/web"
	"github.com/urfave/cli/v2"

	"github.com/nsview/nsview/internal/agent"
	"github.com/nsview/nsview/internal/scan"
	"github.com/nsview/nsview/internal/snapshot"
)

// defaultListen is where `nsview serve` listens unless told otherwise:
// loopback only, and a port outside the Prometheus exporter range
// 9100-9999 (all allocated on the project's default-port-allocations wiki)
// that the wiki's list of other exporter ports does not name, below the
// Linux ephemeral port range (32768-60999).
const defaultListen = "127.0.0.1:19110"

// Scan interval: the default is shorter than any common scrape interval
// (15 s and up), so one Prometheus always gets a fresh scan, yet a scraper
// in a loop costs at most one scan per 5 s; the minimum keeps it a limit.
const (
	defaultScanInterval = 5 * time.Second
	minScanInterval     = time.Second
)

// shutdownTimeout bounds how long SIGINT/SIGTERM waits for scrapes in
// progress.
const shutdownTimeout = 10 * time.Second

const serveDescription = `nsview serve is the node agent: it serves namespace metrics for Prometheus
over HTTP. It scans /proc (or --proc) when scraped, at most once per
--scan-interval: scrapes during a scan wait for it, scrapes within the
interval after it reuse its result, so no client can make it scan in a loop.

ENDPOINTS:
   GET /metrics   nsview_namespaces{type}, nsview_namespaces_without_processes{type},
                  nsview_processes{state}, nsview_scan_duration_seconds,
                  nsview_scan_success, nsview_scans_total, process_*
   GET /healthz   200 ok, or 503 when the last scan failed
   GET /snapshot  the host as nsview snapshot writes it, without command
                  lines unless --snapshot-commands; view it elsewhere with
                  nsview --input http://NODE:19110/snapshot

TLS and basic authentication come from --web.config.file, the web
configuration file every Prometheus exporter reads (exporter-toolkit).

EXAMPLES:
   nsview serve                                    on 127.0.0.1:19110
   nsview serve --listen :19110 --web.config.file /etc/nsview/web.yml
   nsview serve --proc /host/proc                  in a container

SIGINT and SIGTERM stop it gracefully (exit status 0). It exits 1 when the
first scan, the web configuration file or listening fails, 2 on a usage error.`

var serveFlags = []cli.Flag{
	&cli.StringFlag{Name: "listen", Value: defaultListen, Usage: "listen on `HOST:PORT` (an empty HOST: every interface)"},
	&cli.DurationFlag{Name: "scan-interval", Value: defaultScanInterval, Usage: "scan at most once per `DURATION` (at least 1s); scrapes in between reuse the last scan"},
	&cli.StringFlag{Name: "web.config.file", Usage: "read TLS and basic auth settings from `FILE` (Prometheus web configuration format)"},
	procFlag(),
	&cli.BoolFlag{Name: "snapshot-commands", Usage: "include command lines in /snapshot (left out by default: they can carry secrets)"},
}

// serveCommand is `nsview serve`, running in env.
func serveCommand(env environment) *cli.Command {
	return &cli.Command{
		Name:        "serve",
		Usage:       "serve namespace metrics to Prometheus (the node agent)",
		UsageText:   "nsview serve [--listen HOST:PORT] [--scan-interval DURATION] [--web.config.file FILE] [--proc DIR]",
		Description: serveDescription,
		Flags:       serveFlags,
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError{fmt.Errorf("%w (see nsview serve --help)", err)}
		},
		Action: func(c *cli.Context) error {
			return runServe(c, env)
		},
	}
}

// serveConfig is what `nsview serve` is asked for, checked.
type serveConfig struct {
	listen           string
	interval         time.Duration
	webConfig        string
	root             string
	snapshotCommands bool // /snapshot includes command lines
}

// parseServeConfig checks the flags; its errors are usage errors.
func parseServeConfig(c *cli.Context) (serveConfig, error) {
	cfg := serveConfig{listen: c.String("listen"), interval: c.Duration("scan-interval"),
		webConfig: c.String("web.config.file"), root: c.String("proc"), snapshotCommands: c.Bool("snapshot-commands")}
	if c.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q (nsview serve takes none)", c.Args().First())
	}
	_, port, err := net.SplitHostPort(cfg.listen)
	if err != nil {
		return cfg, fmt.Errorf("invalid value %q for flag -listen: %w", cfg.listen, err)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return cfg, fmt.Errorf("invalid value %q for flag -listen: port %q is not a number from 0 to 65535", cfg.listen, port)
	}
	if cfg.interval < minScanInterval {
		return cfg, fmt.Errorf("invalid value %s for flag -scan-interval: must be at least %s", cfg.interval, minScanInterval)
	}
	return cfg, nil
}

// serveScanOptions is what the agent's scans read: the hierarchy too, since
// it adds the ancestors that hold no process (nsview_namespaces_without_processes),
// and containers, for nsview_container_host_namespaces.
func serveScanOptions(root string) scan.Options {
	return scan.Options{Root: root, Hierarchy: true, Containers: true}
}

// runServe is serve's Action: check the flags, the web configuration and a
// first scan, so that a mistake ends it at once; then listen and serve
// until SIGINT or SIGTERM.
func runServe(c *cli.Context, env environment) error {
	cfg, err := parseServeConfig(c)
	if err != nil {
		return usageError{err}
	}
	if err := web.Validate(cfg.webConfig); err != nil {
		return fmt.Errorf("web configuration file %s: %w", cfg.webConfig, err)
	}
	opts := serveScanOptions(cfg.root)
	opts.Owners = env.owners
	a := agent.New(func() (*scan.Index, error) { return scan.Scan(opts) }, cfg.interval)
	if r := a.Scan(); r.Err != nil {
		return r.Err
	}
	listener, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(c.Context, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	mux := http.NewServeMux()
	mux.Handle("/", agent.NewHandler(a))
	mux.Handle("GET /snapshot", snapshotHandler(cfg, env.owners))
	return serveUntilDone(ctx, listener, mux, cfg.webConfig, env.stderr)
}

// snapshotHandler serves GET /snapshot from scans of its own, which read
// every detail a view shows (snapshot.Take), shared and rate-limited as
// the metrics' scans are. Command lines are left out unless the agent was
// started with --snapshot-commands.
func snapshotHandler(cfg serveConfig, owners map[int]uint32) http.Handler {
	opts := snapshot.ScanOptions(cfg.root)
	opts.Owners = owners
	snaps := agent.New(func() (*scan.Index, error) { return snapshot.Take(opts) }, cfg.interval)
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		r := snaps.Scan()
		meta, err := snapshot.LocalMeta("")
		if err == nil {
			err = r.Err
		}
		if err != nil {
			http.Error(w, "nsview: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		meta.Time = r.Finished.UTC().Truncate(time.Second)
		w.Header().Set("Content-Type", "application/json")
		// An error here is the client's going away: nothing to tell it.
		_ = snapshot.Write(w, snapshot.FromIndex(r.Index, meta, snapshot.Options{Commands: cfg.snapshotCommands}))
	})
}

// serveUntilDone serves handler on listener, with TLS and authentication
// from the web configuration file, until ctx is done; then it lets the
// requests in progress finish. It logs to stderr as exporters do.
func serveUntilDone(ctx context.Context, listener net.Listener, handler http.Handler, webConfig string, stderr io.Writer) error {
	defer listener.Close() // web.Serve may fail before serving
	server := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	addrs, systemd := []string{listener.Addr().String()}, false
	flags := &web.FlagConfig{WebListenAddresses: &addrs, WebSystemdSocket: &systemd, WebConfigFile: &webConfig}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	served := make(chan error, 1)
	go func() { served <- web.Serve(listener, server, flags, logger) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	logger.Info("Shutting down", "reason", context.Cause(ctx))
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
