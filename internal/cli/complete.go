package cli

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitopsctl/gitopsctl/internal/env"
	"github.com/gitopsctl/gitopsctl/internal/inventory"
	"github.com/gitopsctl/gitopsctl/internal/render"
	"github.com/gitopsctl/gitopsctl/internal/services"
)

// A completer returns the candidate words of one argument or flag value.
type completer func(f *Factory, cmd *cobra.Command, args []string) []string

// argCompletions say what each positional argument of a command completes
// to, by command path: the i-th completer for the i-th argument, the last
// one for every further argument.
var argCompletions = map[string][]completer{
	"env list":    {completeServices},
	"env get":     {completeServices, completeEnvKeys},
	"env set":     {completeServices, nil},
	"env unset":   {completeServices, completeEnvKeys},
	"env import":  {completeServices, nil},
	"env diff":    {completeServices, completeServices, nil},
	"seal":        {completeServices},
	"bump":        {completeServices},
	"render":      {completeApps},
	"diff":        {completeApps},
	"charts pull": {completeApps},
}

// flagCompletions say what a flag's value completes to, by flag name, on
// every command that has the flag (and no completion of its own for it).
var flagCompletions = map[string]completer{
	"rev":          completeRevisions(false),
	"base":         completeRevisions(false),
	"head":         completeRevisions(false),
	"configs-rev":  completeRevisions(true),
	"configs-base": completeRevisions(true),
	"configs-head": completeRevisions(true),
	"project":      completeProjects,
	"cluster":      completeClusters,
}

// commandFlagCompletions add completions for flags whose name means
// something else on other commands.
var commandFlagCompletions = map[string]map[string]completer{
	"promote": {"from": completeClusters, "to": completeClusters},
}

// noFlagCompletion lists command paths whose flag of that name takes a new
// name, not an existing one.
var noFlagCompletion = map[string]bool{"init --cluster": true}

// registerCompletions adds shell completion of service, app, project and
// cluster names, env keys and git revisions to every command of the tree.
// Candidates already given as arguments are left out, and only those
// starting with the word being completed are offered.
func registerCompletions(f *Factory, c *cobra.Command) {
	for _, sub := range c.Commands() {
		registerCompletions(f, sub)
	}
	path := strings.TrimPrefix(c.CommandPath(), c.Root().Name()+" ")
	if comps, ok := argCompletions[path]; ok && c.ValidArgsFunction == nil {
		c.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			i := min(len(args), len(comps)-1)
			if comps[i] == nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return filterCompletions(comps[i](f, cmd, args), args, toComplete), cobra.ShellCompDirectiveNoFileComp
		}
	}
	flags := flagCompletions
	if extra, ok := commandFlagCompletions[path]; ok {
		flags = maps.Clone(flagCompletions)
		maps.Copy(flags, extra)
	}
	for name, comp := range flags {
		if !ownFlag(c, name) || noFlagCompletion[path+" --"+name] {
			continue
		}
		if _, exists := c.GetFlagCompletionFunc(name); exists {
			continue
		}
		_ = c.RegisterFlagCompletionFunc(name, func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return filterCompletions(comp(f, cmd, args), nil, toComplete), cobra.ShellCompDirectiveNoFileComp
		})
	}
}

// ownFlag: c defines the flag name itself, persistent or not (what
// c.LocalFlags() holds: a completion registered on env serves env set
// --cluster too), rather than inheriting it from a parent's persistent
// flags. Asked without LocalFlags, which merges and copies the flag sets
// on every call: this runs for every command on every start.
func ownFlag(c *cobra.Command, name string) bool {
	fl := c.Flags().Lookup(name)
	if fl == nil {
		fl = c.PersistentFlags().Lookup(name)
	}
	if fl == nil {
		return false
	}
	for p := c.Parent(); p != nil; p = p.Parent() {
		if pf := p.PersistentFlags().Lookup(name); pf != nil {
			return pf != fl // the nearest parent's flag is the one inherited
		}
	}
	return true
}

// filterCompletions keeps the words starting with prefix that are not
// among given.
func filterCompletions(words, given []string, prefix string) []cobra.Completion {
	var out []cobra.Completion
	for _, w := range words {
		if strings.HasPrefix(w, prefix) && !slices.Contains(given, w) {
			out = append(out, w)
		}
	}
	return out
}

func completeServices(f *Factory, _ *cobra.Command, _ []string) []string {
	cfg, err := f.Config()
	if err != nil {
		return nil
	}
	names, _ := services.List(cfg.ConfigsDir)
	return names
}

// completeEnvKeys completes the config and secret keys of the service
// named by the first argument.
func completeEnvKeys(f *Factory, _ *cobra.Command, args []string) []string {
	cfg, err := f.Config()
	if err != nil || len(args) == 0 {
		return nil
	}
	l, err := env.List(cfg.ConfigsDir, args[0])
	if err != nil {
		return nil
	}
	var keys []string
	for _, c := range l.Config {
		keys = append(keys, c.Key)
	}
	for _, s := range l.Secrets {
		keys = append(keys, s.Key)
	}
	return keys
}

// completionWorkspace discovers the apps and projects of the working tree.
func completionWorkspace(f *Factory, cmd *cobra.Command) *render.Workspace {
	cfg, err := f.Config()
	if err != nil {
		return nil
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	ws, err := render.Open(ctx, render.Options{Config: cfg})
	if err != nil {
		return nil
	}
	return ws
}

func completeApps(f *Factory, cmd *cobra.Command, _ []string) []string {
	ws := completionWorkspace(f, cmd)
	if ws == nil {
		return nil
	}
	var names []string
	for _, a := range ws.Apps() {
		names = append(names, a.Name)
	}
	return names
}

func completeProjects(f *Factory, cmd *cobra.Command, _ []string) []string {
	cfg, err := f.Config()
	ws := completionWorkspace(f, cmd)
	if err != nil || ws == nil {
		return nil
	}
	var names []string
	for _, p := range inventory.Projects(cfg, ws) {
		if p.File != "" { // one a manifest defines, as --project needs
			names = append(names, p.Name)
		}
	}
	return names
}

func completeClusters(f *Factory, _ *cobra.Command, _ []string) []string {
	cfg, err := f.Config()
	if err != nil {
		return nil
	}
	return inventory.Names(inventory.Clusters(cfg), func(c inventory.ClusterInfo) string { return c.Name })
}

// completeRevisions completes branches, remote branches and tags of the
// gitops-repo, or of the configs-repo.
func completeRevisions(configs bool) completer {
	return func(f *Factory, _ *cobra.Command, _ []string) []string {
		cfg, err := f.Config()
		if err != nil {
			return nil
		}
		dir := cfg.RepoDir
		if configs {
			dir = cfg.ConfigsDir
		}
		revs, _ := inventory.Revisions(dir)
		return revs
	}
}
