package cli

import "os"

// checkConfigFlags catches --config and --configs mixed up: --config names
// the .gitopsctl.yaml file, --configs the configs-repo directory.
func (f *Factory) checkConfigFlags() error {
	if p := f.v.GetString("config"); p != "" {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			return usageError("--config %s is a directory: --config names the config file (.gitopsctl.yaml); did you mean --configs %s (the configs-repo)?", p, p)
		}
	}
	if p := f.v.GetString("configs"); p != "" {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return usageError("--configs %s is a file: --configs names the configs-repo directory; did you mean --config %s (the config file)?", p, p)
		}
	}
	return nil
}
