package finding

import "time"

// Problem is something a scan could not do: a file it could not read, an
// archive it could not open, an object it could not decode. The scan goes
// on; problems are listed in the summary and decide the exit code.
type Problem struct {
	Path string `json:"path"`
	Err  string `json:"error"`
}

// Summary describes a finished scan.
type Summary struct {
	Target   string         `json:"target"`
	Files    int64          `json:"files"` // files, blobs or entries scanned
	Bytes    int64          `json:"bytes"`
	Findings int            `json:"findings"`
	Skipped  map[string]int `json:"skipped,omitempty"` // reason -> count
	Problems []Problem      `json:"problems,omitempty"`
	// Errors counts every problem, including those past the listing cap.
	Errors   int           `json:"errors"`
	Duration time.Duration `json:"duration_ns"`
	// Incomplete is set when the scan stopped early (cancelled, timed out)
	// so a report never calls a partial scan clean.
	Incomplete bool `json:"incomplete,omitempty"`
	// Config names the rules in use: the built-in rules, a file the user
	// named, or the scanned tree's own config.
	Config string `json:"config,omitempty"`
	// Rules is the number of rules the scan ran.
	Rules int `json:"rules,omitempty"`
	// Suppressed counts findings left out, by what left them out (an
	// ignore file, a baseline, allowlists, inline allow comments).
	Suppressed map[string]int `json:"suppressed,omitempty"`
	// Warnings are things the user should know that are not scan errors:
	// a config entry that names no rule, ignore entries that matched
	// nothing, a limit the user set that left content out.
	Warnings []string `json:"warnings,omitempty"`
	// Verification counts reported findings by verification status when
	// verification ran.
	Verification map[string]int `json:"verification,omitempty"`
}

// SuppressedTotal is the number of findings left out for any reason.
func (s Summary) SuppressedTotal() int {
	n := 0
	for _, c := range s.Suppressed {
		n += c
	}
	return n
}

// SkippedTotal is the number of items skipped for any reason.
func (s Summary) SkippedTotal() int {
	n := 0
	for _, c := range s.Skipped {
		n += c
	}
	return n
}
