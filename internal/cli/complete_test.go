package cli

import (
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gitopsctl/gitopsctl/internal/iostreams"
)

// TestOwnFlagIsLocalFlags: ownFlag answers what cobra's LocalFlags holds,
// for every command of the tree and every flag name it sees (its own and
// its parents' persistent ones).
func TestOwnFlagIsLocalFlags(t *testing.T) {
	io, _, _ := iostreams.Test()
	root := NewRootCmd(&Factory{IO: io, v: newViper()})
	type q struct {
		cmd  *cobra.Command
		name string
	}
	var qs []q
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		names := map[string]bool{}
		add := func(fl *pflag.Flag) { names[fl.Name] = true }
		c.Flags().VisitAll(add)
		c.PersistentFlags().VisitAll(add)
		for p := c.Parent(); p != nil; p = p.Parent() {
			p.PersistentFlags().VisitAll(add)
		}
		for n := range names {
			qs = append(qs, q{c, n})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	// ownFlag first: LocalFlags merges the parents' flags into each command.
	own := make([]bool, len(qs))
	shadows, inherited := 0, 0
	for i, x := range qs {
		own[i] = ownFlag(x.cmd, x.name)
	}
	for i, x := range qs {
		want := x.cmd.LocalFlags().Lookup(x.name) != nil
		if own[i] != want {
			t.Errorf("%s --%s: ownFlag %v, LocalFlags has it: %v", x.cmd.CommandPath(), x.name, own[i], want)
		}
		// Once cobra merged the parents' flags into the command's (as
		// LocalFlags and parsing do), the answer stays the same.
		if again := ownFlag(x.cmd, x.name); again != want {
			t.Errorf("%s --%s: ownFlag after merging %v, LocalFlags has it: %v", x.cmd.CommandPath(), x.name, again, want)
		}
		if !want {
			inherited++
		} else if x.cmd.HasParent() && x.cmd.Root().PersistentFlags().Lookup(x.name) != nil {
			shadows++ // e.g. hook install --configs
		}
	}
	if len(qs) < 100 || inherited == 0 || shadows == 0 {
		t.Fatalf("asked %d flags (%d inherited, %d shadowing a parent's): the tree lacks the cases", len(qs), inherited, shadows)
	}
}
