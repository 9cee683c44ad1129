package cli

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/gitopsctl/gitopsctl/internal/charts"
	"github.com/gitopsctl/gitopsctl/internal/config"
	"github.com/gitopsctl/gitopsctl/internal/render"
	"github.com/gitopsctl/gitopsctl/internal/rendercache"
)

// EnvNoCache is the environment form of --no-cache.
const EnvNoCache = "GITOPSCTL_NO_CACHE"

// renderCacheDir is the render cache directory: next to the chart cache.
func renderCacheDir(cfg *config.Loaded) (string, error) {
	chartDir := cfg.ChartCacheDir
	if chartDir == "" {
		d, err := charts.DefaultDir()
		if err != nil {
			return "", err
		}
		chartDir = d
	}
	return rendercache.DefaultDir(chartDir)
}

// withCache adds the render cache to o unless --no-cache (or no cache
// directory can be had: then renders are not cached).
func (f *Factory) withCache(o render.Options) render.Options {
	if f.v.GetBool("no-cache") || o.Config == nil {
		return o
	}
	dir, err := renderCacheDir(o.Config)
	if err != nil {
		return o
	}
	o.RenderCache = rendercache.New(dir, 0)
	o.CacheSalt = cacheSalt()
	return o
}

var (
	saltOnce sync.Once
	salt     string
)

// cacheSalt names the build: the gitopsctl and Helm versions, and for a
// development build (whose version does not change with its code) the
// executable's size and time.
func cacheSalt() string {
	saltOnce.Do(func() {
		parts := []string{"gitopsctl " + Version}
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, d := range bi.Deps {
				if d.Path == "helm.sh/helm/v3" {
					parts = append(parts, "helm "+d.Version)
				}
			}
		}
		if Version == "dev" || strings.Contains(Version, "dirty") {
			if exe, err := os.Executable(); err == nil {
				if fi, err := os.Stat(exe); err == nil {
					parts = append(parts, fmt.Sprintf("build %s %d %d", exe, fi.Size(), fi.ModTime().UnixNano()))
				}
			}
		}
		salt = strings.Join(parts, "; ")
	})
	return salt
}

func newCacheCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "Inspect or empty the render cache",
		Long: `render, diff, check and seal keep each app's render in the render cache,
named by a digest of everything the render depends on (chart files, value
files in either repository, the Application's sources and parameters,
.argocd-source overrides, capabilities, the gitopsctl and Helm versions), so
an app whose inputs did not change is not rendered again. It lives next to
the chart cache (<user cache dir>/gitopsctl/renders, or "renders" beside
--cache-dir; ` + rendercache.EnvDir + ` overrides), holds at most 512 MiB
(least recently used entries go first), and a damaged entry is ignored and
rewritten. --no-cache (or ` + EnvNoCache + `=1) bypasses it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newCacheInfoCmd(f), newCacheCleanCmd(f))
	return cmd
}

func (f *Factory) renderCache() (*rendercache.Cache, error) {
	cfg, err := f.Config()
	if err != nil {
		// Outside a repository: the default location.
		cfg = &config.Loaded{}
		if d := f.v.GetString("cache-dir"); d != "" {
			cfg.ChartCacheDir = d
		}
	}
	dir, err := renderCacheDir(cfg)
	if err != nil {
		return nil, err
	}
	return rendercache.New(dir, 0), nil
}

func newCacheInfoCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "info",
		Short: "Print the render cache's directory, entries and size",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.renderCache()
			if err != nil {
				return err
			}
			in, err := c.Info()
			if err != nil {
				return err
			}
			return printData(f, in, func(w *strings.Builder) {
				fmt.Fprintf(w, "directory: %s\nentries:   %d\nsize:      %s of %s\n", in.Dir, in.Entries, mib(in.Bytes), mib(in.MaxBytes))
			})
		},
	}
}

func newCacheCleanCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "clean",
		Short: "Remove every entry of the render cache",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.renderCache()
			if err != nil {
				return err
			}
			n, err := c.Clean()
			if err != nil {
				return err
			}
			res := struct {
				Dir     string `json:"dir"`
				Removed int    `json:"removed"`
			}{c.Dir(), n}
			return printData(f, res, func(w *strings.Builder) {
				fmt.Fprintf(w, "removed %d %s from %s\n", n, plural(n, "entry", "entries"), c.Dir())
			})
		},
	}
}

func mib(n int64) string {
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
