package scanner

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/leakhound/leakhound/internal/plainfile"
	"github.com/leakhound/leakhound/suppress"
)

// loadSuppressions reads the ignore files and baselines of a scan: the
// ones the user named, or else the scanned tree's own ignore file when
// its config is trusted (no --config, no --no-repo-config).
func loadSuppressions(o Options) (*suppress.Set, error) {
	set := suppress.New()
	for _, p := range o.IgnoreFiles {
		data, err := plainfile.Read(p, suppress.MaxFileSize)
		if err != nil {
			return nil, &ConfigError{Err: fmt.Errorf("--ignore-file: %w", err)}
		}
		if err := set.AddIgnoreFile(p, data); err != nil {
			return nil, &ConfigError{Err: err}
		}
	}
	if len(o.IgnoreFiles) == 0 && o.Repo != nil && !o.NoRepoConfig && o.Config == "" {
		for _, name := range RepoIgnoreNames {
			data, err := plainfile.ReadFS(o.Repo.Files, name, suppress.MaxFileSize)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, &ConfigError{Err: fmt.Errorf("%s in %s: %w (--no-repo-config ignores the scanned tree's ignore files)", name, o.Repo.Name, err)}
			}
			if err := set.AddIgnoreFile(name, data); err != nil {
				return nil, &ConfigError{Err: err}
			}
			break
		}
	}
	for _, p := range o.Baselines {
		data, err := plainfile.Read(p, suppress.MaxFileSize)
		if err != nil {
			return nil, &ConfigError{Err: fmt.Errorf("--baseline: %w", err)}
		}
		if err := set.AddBaseline(p, data); err != nil {
			return nil, &ConfigError{Err: fmt.Errorf("--baseline: %w", err)}
		}
	}
	return set, nil
}

// maxUnmatchedListed caps the stale entries the summary names one by one.
const maxUnmatchedListed = 5

// unmatchedWarnings says which suppression entries matched nothing.
func unmatchedWarnings(set *suppress.Set) []string {
	stale := set.Unmatched()
	if len(stale) == 0 {
		return nil
	}
	var names []string
	for i, e := range stale {
		if i == maxUnmatchedListed {
			names = append(names, fmt.Sprintf("and %d more", len(stale)-i))
			break
		}
		names = append(names, e.Where)
	}
	return []string{fmt.Sprintf("%d of %d ignore and baseline entries matched no finding (stale, or outside what this scan covered): %s",
		len(stale), set.Len(), strings.Join(names, ", "))}
}
