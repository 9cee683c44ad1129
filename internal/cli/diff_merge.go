package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/gitopsctl/gitopsctl/internal/diff"
)

func newDiffMergeCmd(f *Factory) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "merge FILE...",
		Short: "Join the -o json results of a sharded diff into one report",
		Long: `Join the results of 'gitopsctl diff --shard I/N -o json', one file per shard,
into the report the unsharded diff prints: the same apps, totals and exit code
(0 no change, 3 changes, 1 when an app failed to render).

merge refuses files that are not a sharded diff's JSON, shards of different
revisions (each result records its revisions and commits) or of a different
number of shards, a shard given twice, a missing shard, and an app reported by
two shards.`,
		Example: `  # After 'gitopsctl diff --base main --shard I/4 -o json > diff-I.json' on 4 runners
  gitopsctl diff merge diff-1.json diff-2.json diff-3.json diff-4.json

  # As a pull-request comment
  gitopsctl diff merge --format markdown diff-*.json > diff.md`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format == "markdown" && f.Output() != "text" {
				return usageError("--format markdown and -o %s exclude each other", f.Output())
			}
			files := make([]diff.ShardFile, 0, len(args))
			for _, name := range args {
				data, err := os.ReadFile(name)
				if err != nil {
					return err
				}
				files = append(files, diff.ShardFile{Name: name, Data: data})
			}
			res, err := diff.Merge(files)
			if err != nil {
				return err
			}
			for _, e := range res.AppSetErrors {
				fmt.Fprintf(f.stderr(), "Error: %s\n", e)
			}
			return printDiff(f, res, format)
		},
	}
	enumFlag(cmd, cmd.Flags(), &format, "format", "", "text", []string{"text", "markdown"}, "text or markdown (-o json for JSON)")
	return cmd
}
