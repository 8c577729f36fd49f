package report

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// SARIFLimits are what GitHub code scanning accepts in one uploaded SARIF
// file. Over any of them the upload is rejected, not cut.
type SARIFLimits struct {
	GzipBytes       int // the file, gzip-compressed
	Runs            int // runs per file
	Results         int // results per run
	Rules           int // rules per run
	LocationsPerRes int // locations per result
	Tags            int // tags per rule
	// TagsShown is how many of a rule's tags GitHub keeps.
	TagsShown int
}

// GitHubSARIFLimits are GitHub's documented limits ("SARIF results exceed
// one or more limits" in the code scanning documentation).
var GitHubSARIFLimits = SARIFLimits{
	// "10 MB": read as decimal, the smaller of the two readings.
	GzipBytes:       10 * 1000 * 1000,
	Runs:            20,
	Results:         25000,
	Rules:           25000,
	LocationsPerRes: 1000,
	Tags:            20,
	TagsShown:       10,
}

// CheckSARIF reads a SARIF file and returns an error naming every limit
// it exceeds and a summary of what it holds, so an upload can be refused
// here with a clear message instead of by GitHub after the fact.
func CheckSARIF(data []byte, lim SARIFLimits) (SARIFStats, error) {
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID         string `json:"id"`
						Properties struct {
							Tags []json.RawMessage `json:"tags"`
						} `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			AutomationDetails struct {
				ID string `json:"id"`
			} `json:"automationDetails"`
			Results []struct {
				Locations []json.RawMessage `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	var st SARIFStats
	if err := json.Unmarshal(data, &log); err != nil {
		return st, fmt.Errorf("not a SARIF file: %w", err)
	}
	if log.Version != "2.1.0" {
		return st, fmt.Errorf("SARIF version %q: code scanning takes 2.1.0", log.Version)
	}
	if len(log.Runs) == 0 {
		return st, fmt.Errorf("the SARIF file has no runs")
	}
	var over []string
	st.Runs = len(log.Runs)
	if st.Runs > lim.Runs {
		over = append(over, fmt.Sprintf("%d runs (at most %d)", st.Runs, lim.Runs))
	}
	seen := map[string]bool{}
	for i, r := range log.Runs {
		// GitHub no longer merges several runs of one tool and category in
		// a file: it rejects them.
		key := r.Tool.Driver.Name + "\x00" + r.AutomationDetails.ID
		if seen[key] {
			over = append(over, fmt.Sprintf("run %d repeats tool %q with category %q (upload one run per tool and category)", i+1, r.Tool.Driver.Name, r.AutomationDetails.ID))
		}
		seen[key] = true
		st.Results += len(r.Results)
		if n := len(r.Results); n > lim.Results {
			over = append(over, fmt.Sprintf("run %d has %d results (at most %d)", i+1, n, lim.Results))
		}
		if n := len(r.Tool.Driver.Rules); n > lim.Rules {
			over = append(over, fmt.Sprintf("run %d has %d rules (at most %d)", i+1, n, lim.Rules))
		}
		for j, res := range r.Results {
			if n := len(res.Locations); n > lim.LocationsPerRes {
				over = append(over, fmt.Sprintf("run %d result %d has %d locations (at most %d)", i+1, j+1, n, lim.LocationsPerRes))
				break
			}
		}
		for _, rule := range r.Tool.Driver.Rules {
			if n := len(rule.Properties.Tags); n > lim.Tags {
				over = append(over, fmt.Sprintf("run %d rule %s has %d tags (at most %d)", i+1, rule.ID, n, lim.Tags))
				break
			}
		}
	}
	st.GzipBytes = gzipSize(data)
	if st.GzipBytes > lim.GzipBytes {
		over = append(over, fmt.Sprintf("%d bytes gzip-compressed (at most %d)", st.GzipBytes, lim.GzipBytes))
	}
	if len(over) > 0 {
		return st, fmt.Errorf("over GitHub code scanning's limits: %s", strings.Join(over, "; "))
	}
	return st, nil
}

// SARIFStats is what a SARIF file holds.
type SARIFStats struct {
	Runs, Results, GzipBytes int
}

// gzipSize is the size of data gzip-compressed as an upload compresses it.
func gzipSize(data []byte) int {
	var n countWriter
	zw := gzip.NewWriter(&n)
	// Writes to a counter can't fail.
	_, _ = io.Copy(zw, bytes.NewReader(data))
	_ = zw.Close()
	return int(n)
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}
