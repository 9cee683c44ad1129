package seal

import (
	"sort"

	"github.com/gitopsctl/gitopsctl/internal/dotenv"
)

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func formatLine(k, v string) string { return dotenv.Format(k, v) }
