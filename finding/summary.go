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
}

// SkippedTotal is the number of items skipped for any reason.
func (s Summary) SkippedTotal() int {
	n := 0
	for _, c := range s.Skipped {
		n += c
	}
	return n
}
