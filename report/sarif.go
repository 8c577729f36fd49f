package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/leakhound/leakhound/finding"
	"github.com/leakhound/leakhound/rules"
)

const (
	toolName = "leakhound"
	toolURI  = "https://github.com/leakhound/leakhound"
	// schemaURI is the schema GitHub's documentation points SARIF files at.
	schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
	// fingerprintKey names leakhound's partial fingerprint; the "/v1" lets
	// a later scheme coexist without GitHub merging unrelated alerts.
	fingerprintKey = "leakhound/v1"
	// maxNotifications keeps a scan with many unreadable files from
	// bloating the report; the summary has the full count.
	maxNotifications = 100
)

// sarifReporter writes SARIF 2.1.0 for GitHub code scanning and other
// SARIF consumers: one run, the rules that fired, one result per finding.
type sarifReporter struct {
	opts Options
	// limits are GitHub's; tests lower them.
	limits SARIFLimits
}

func (s *sarifReporter) Write(w io.Writer, sum finding.Summary, fs []finding.Finding) error {
	fs = sorted(fs)
	// Built from every finding, kept or not: a kept match may hold the
	// secret of one left out.
	red := newRedactor(fs, s.opts.Reveal)
	lim := s.limits
	if lim == (SARIFLimits{}) {
		lim = GitHubSARIFLimits
	}

	// GitHub rejects a run over its result limit, and more runs of the
	// same tool are no longer merged, so the report keeps the most severe
	// findings and says what it left out.
	keep := fs
	var why []string
	sizeCut := false
	if len(fs) > lim.Results {
		keep = mostSevere(fs, lim.Results)
		why = append(why, fmt.Sprintf("GitHub code scanning accepts at most %d results per run", lim.Results))
	}
	for {
		data, err := s.encode(sum, fs, keep, why, red)
		if err != nil {
			return err
		}
		size := len(data)
		if size > lim.GzipBytes {
			// Only a report this big can be over the compressed limit:
			// gzip never makes JSON larger than a few bytes per 32 KiB.
			size = gzipSize(data)
		}
		if size <= lim.GzipBytes || len(keep) == 0 {
			if len(keep) < len(fs) {
				s.opts.warn("SARIF report: %d of %d findings left out (%s); it holds the %d most severe. Use --format json for the full list",
					len(fs)-len(keep), len(fs), strings.Join(why, "; "), len(keep))
			}
			if _, err := w.Write(data); err != nil {
				return fmt.Errorf("write report: %w", err)
			}
			return nil
		}
		// Scale down by how far over the limit it is, with a margin, so
		// this converges in a step or two.
		n := int(float64(len(keep)) * float64(lim.GzipBytes) / float64(size) * 0.95)
		if n >= len(keep) {
			n = len(keep) - 1
		}
		keep = mostSevere(fs, max(n, 0))
		if !sizeCut {
			sizeCut = true
			why = append(why, fmt.Sprintf("GitHub code scanning accepts at most %d gzip-compressed bytes per file", lim.GzipBytes))
		}
	}
}

// encode writes the SARIF log of the findings in keep; all is every
// finding of the scan, for the count of those left out.
func (s *sarifReporter) encode(sum finding.Summary, all, keep []finding.Finding, why []string, red *redactor) ([]byte, error) {
	driver := sarif.NewDriver(toolName).WithInformationURI(toolURI)
	if s.opts.Version != "" {
		driver.WithVersion(s.opts.Version)
	}
	run := sarif.NewRun(sarif.Tool{Driver: driver})

	// Only the rules that fired: the full rule set would add a few hundred
	// KB of help text to every report for nothing.
	index := make(map[string]int)
	var ids []string
	first := make(map[string]*finding.Finding)
	for i := range keep {
		id := keep[i].RuleID
		if _, ok := first[id]; !ok {
			first[id] = &keep[i]
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for i, id := range ids {
		index[id] = i
		driver.Rules = append(driver.Rules, s.rule(id, first[id], red))
	}

	for i := range keep {
		run.Results = append(run.Results, s.result(&keep[i], index[keep[i].RuleID], red))
	}
	inv := s.invocation(sum, red)
	if len(keep) < len(all) {
		inv.ToolExecutionNotifications = append([]*sarif.Notification{{
			Level: "warning",
			Message: sarif.NewTextMessage(fmt.Sprintf("%d of %d findings are not in this file (%s); it holds the %d most severe",
				len(all)-len(keep), len(all), strings.Join(why, "; "), len(keep))),
		}}, inv.ToolExecutionNotifications...)
	}
	run.Invocations = []*sarif.Invocation{inv}

	rep, err := sarif.New(sarif.Version210, false)
	if err != nil {
		return nil, fmt.Errorf("sarif report: %w", err)
	}
	rep.Schema = schemaURI
	rep.AddRun(run)

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return nil, fmt.Errorf("encode sarif report: %w", err)
	}
	return buf.Bytes(), nil
}

// mostSevere returns the n most severe of fs (live credentials first, then
// by severity), in fs's order.
func mostSevere(fs []finding.Finding, n int) []finding.Finding {
	if n >= len(fs) {
		return fs
	}
	idx := make([]int, len(fs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		la, lb := fs[a].Verification.Live(), fs[b].Verification.Live()
		if la != lb {
			if la {
				return -1
			}
			return 1
		}
		return severityRank(fs[a].Severity) - severityRank(fs[b].Severity)
	})
	idx = idx[:n]
	slices.Sort(idx)
	out := make([]finding.Finding, n)
	for i, j := range idx {
		out[i] = fs[j]
	}
	return out
}

// meta is what a report says about a rule.
func (s *sarifReporter) meta(id string, f *finding.Finding) (desc, sev string, tags []string) {
	return ruleMeta(s.opts, id, f)
}

// ruleMeta is what a report says about a rule: from the rule set when the
// caller gave one, else from the finding.
func ruleMeta(o Options, id string, f *finding.Finding) (desc, sev string, tags []string) {
	desc, sev, tags = f.Description, f.Severity, f.Tags
	if o.Rules != nil {
		if r := o.Rules.Rule(id); r != nil {
			if r.Description != "" {
				desc = r.Description
			}
			if r.Severity != "" {
				sev = r.Severity
			}
			if len(r.Tags) > 0 {
				tags = r.Tags
			}
		}
	}
	if desc == "" {
		desc = id
	}
	return desc, sev, tags
}

func (s *sarifReporter) rule(id string, f *finding.Finding, red *redactor) *sarif.ReportingDescriptor {
	desc, sev, tags := s.meta(id, f)
	desc = red.text(desc)
	sevName := sev
	if sevName == "" {
		sevName = "unrated"
	}
	full := fmt.Sprintf("%s. leakhound rule %s, severity %s. A credential found in source, history or a built artifact must be revoked or rotated; deleting it from the code is not enough.",
		strings.TrimSuffix(desc, "."), id, sevName)

	allTags := []string{"security", "secret"}
	for _, t := range tags {
		t = red.text(t)
		if t != "" && !slices.Contains(allTags, t) {
			allTags = append(allTags, t)
		}
	}
	r := sarif.NewRule(id).
		WithName(ruleName(id)).
		WithShortDescription(sarif.NewMultiformatMessageString(desc)).
		WithFullDescription(sarif.NewMultiformatMessageString(full)).
		WithHelp(&sarif.MultiformatMessageString{
			Text:     ptr(helpText(id, desc, s.remediation(id, tags))),
			Markdown: ptr(helpMarkdown(id, desc, s.remediation(id, tags))),
		}).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(level(sev))).
		WithProperties(sarif.Properties{
			"security-severity": rules.SecuritySeverity(sev),
			// GitHub keeps only a rule's first 10 tags.
			"tags": allTags[:min(len(allTags), GitHubSARIFLimits.TagsShown)],
		})
	return r
}

// remediation is how to revoke what rule id finds.
func (s *sarifReporter) remediation(id string, tags []string) rules.Remediation {
	return remediationFor(s.opts, id, tags)
}

func remediationFor(o Options, id string, tags []string) rules.Remediation {
	if o.Rules != nil {
		if r := o.Rules.Rule(id); r != nil {
			return r.Remediation()
		}
	}
	r := rules.Rule{ID: id, Tags: tags}
	return r.Remediation()
}

// revokeStep is the first thing to do, in the provider's terms when the
// remediation table knows them.
func revokeStep(rem rules.Remediation, link func(url string) string) string {
	at := ""
	if rem.Name != "" {
		at = " at " + rem.Name
	}
	step := "Treat it as compromised: revoke or rotate it" + at + " now (deleting it from the code does not revoke it)."
	if rem.Revoke != "" {
		step += " " + rem.Revoke
	}
	if rem.URL != "" {
		step += " " + link(rem.URL)
	}
	return step
}

func helpText(id, desc string, rem rules.Remediation) string {
	return desc + "\n\n" +
		"leakhound found a credential matching rule " + id + ". Anyone who can read the file, the repository's history, " +
		"or the image or archive it was found in can use it.\n\n" +
		"What to do:\n" +
		"1. " + revokeStep(rem, func(u string) string { return "See " + u }) + "\n" +
		"2. Check the provider's audit or access logs for use you don't recognise.\n" +
		"3. Remove it from the code and load it at run time from a secret manager or the environment.\n" +
		"4. If it was committed, remove it from history as well (git filter-repo or BFG, then force-push and have collaborators re-clone). " +
		"Forks, clones and caches keep their copies, so rotating it is what protects you.\n" +
		"5. If it is a test fixture or a false positive, add the finding's fingerprint to .leakhoundignore or put a leakhound:allow comment on the line.\n"
}

func helpMarkdown(id, desc string, rem rules.Remediation) string {
	step := revokeStep(rem, func(u string) string { return "[Provider documentation](" + u + ")" })
	step = strings.Replace(step, "Treat it as compromised:", "**Treat it as compromised:**", 1)
	return "**" + desc + "**\n\n" +
		"leakhound found a credential matching rule `" + id + "`. Anyone who can read the file, the repository's history, " +
		"or the image or archive it was found in can use it.\n\n" +
		"### What to do\n\n" +
		"1. " + step + "\n" +
		"2. Check the provider's audit or access logs for use you don't recognise.\n" +
		"3. Remove it from the code and load it at run time from a secret manager or the environment.\n" +
		"4. If it was committed, remove it from history as well (`git filter-repo` or BFG, then force-push and have collaborators re-clone). " +
		"Forks, clones and caches keep their copies, so rotating it is what protects you.\n" +
		"5. If it is a test fixture or a false positive, add the finding's fingerprint to `.leakhoundignore` or put a `leakhound:allow` comment on the line.\n"
}

func (s *sarifReporter) result(f *finding.Finding, ruleIndex int, red *redactor) *sarif.Result {
	red = red.of(f)
	l := &f.Location
	sev := f.Severity
	if sev == "" {
		_, sev, _ = s.meta(f.RuleID, f)
	}
	desc := f.Description
	if desc == "" {
		desc, _, _ = s.meta(f.RuleID, f)
	}

	msg := red.text(desc)
	if f.Secret != "" {
		msg += ": " + red.secret(f.Secret)
	}
	live := f.Verification.Live()
	if live {
		// A live credential leads the message: what it reaches is what
		// decides how fast someone must act.
		reach := "LIVE credential (verified with its provider)"
		if d := verificationText(f.Verification); d != "" {
			reach += ": " + red.text(d)
		}
		msg = reach + ". " + msg
	}
	where := red.text(l.DisplayPath())
	if l.Line > 0 {
		where += ":" + strconv.Itoa(l.Line)
		if l.Column > 0 {
			where += ":" + strconv.Itoa(l.Column)
		}
	} else if f.Secret != "" {
		where += " at byte " + strconv.FormatInt(l.Offset, 10)
	}
	if l.Archive != "" || f.Secret == "" {
		msg += " in " + where
	}
	if l.Image != "" {
		msg += " in image " + red.text(l.Image)
		if l.Layer != "" {
			msg += " (layer " + red.text(l.Layer) + ")"
		}
	}
	if l.Commit != "" {
		msg += " in commit " + shortCommit(red.text(l.Commit))
		if l.Author != "" {
			msg += " by " + red.text(l.Author)
		}
		if d := formatDate(l.Date); d != "" {
			msg += " on " + d
		}
	}

	loc := sarif.NewLocationWithPhysicalLocation(
		sarif.NewPhysicalLocation().
			WithArtifactLocation(sarif.NewSimpleArtifactLocation(artifactURI(l, red))).
			WithRegion(region(f)))
	if l.Archive != "" {
		// The physical location is the archive file in the repository;
		// the member and the line in it are named here.
		member := red.text(slashPath(strings.TrimPrefix(l.Path, "/")))
		loc.AddLogicalLocations(sarif.NewLogicalLocation().
			WithName(member).
			WithFullyQualifiedName(red.text(l.DisplayPath())).
			WithKind("resource"))
		loc.WithDescriptionText("archive member " + where)
	}

	fp := f.Fingerprint
	if fp == "" {
		h := f.SecretHash
		if h == "" {
			h = finding.HashSecret(f.Secret)
		}
		fp = finding.Fingerprint(f.RuleID, l.DisplayPath(), h)
	}

	lvl := level(sev)
	if live {
		lvl = "error"
	}
	res := sarif.NewRuleResult(f.RuleID).
		WithRuleIndex(ruleIndex).
		WithLevel(lvl).
		WithMessage(sarif.NewTextMessage(msg)).
		WithLocations([]*sarif.Location{loc}).
		WithPartialFingerPrints(map[string]any{fingerprintKey: fp})

	props := sarif.Properties{}
	add := func(k, v string) {
		if v != "" {
			props[k] = v
		}
	}
	add("commit", red.text(l.Commit))
	add("author", red.text(l.Author))
	add("email", red.text(l.Email))
	add("date", formatDate(l.Date))
	add("repository", red.text(l.Repository))
	add("image", red.text(l.Image))
	add("layer", red.text(l.Layer))
	add("archive", red.text(l.Archive))
	if f.Secret != "" {
		add("secret_hash", f.SecretHash)
	}
	add("verification", f.Verification.Status)
	if live {
		// Code scanning reads security-severity from the rule; a live
		// credential is critical whatever its rule says.
		add("security-severity", liveSecuritySeverity)
		add("verified_identity", red.text(f.Verification.Identity))
	}
	if len(props) > 0 {
		res.Properties = props
	}
	return res
}

func (s *sarifReporter) invocation(sum finding.Summary, red *redactor) *sarif.Invocation {
	inv := &sarif.Invocation{ExecutionSuccessful: ptr(!sum.Incomplete)}
	if sum.Incomplete {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, &sarif.Notification{
			Level:   "error",
			Message: sarif.NewTextMessage("the scan stopped early; these results are incomplete"),
		})
	}
	for i, p := range sum.Problems {
		if i == maxNotifications {
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, &sarif.Notification{
				Level:   "warning",
				Message: sarif.NewTextMessage(fmt.Sprintf("%d more problems not listed", len(sum.Problems)-i)),
			})
			break
		}
		text := red.text(p.Err)
		if p.Path != "" {
			text = red.text(slashPath(p.Path)) + ": " + text
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, &sarif.Notification{
			Level:   "warning",
			Message: sarif.NewTextMessage(text),
		})
	}
	return inv
}

// liveSecuritySeverity is the score of a credential verified live.
const liveSecuritySeverity = "9.8"

// level maps a severity to a SARIF result level.
func level(sev string) string {
	switch sev {
	case rules.Critical, rules.High:
		return "error"
	case rules.Low, rules.Info:
		return "note"
	default:
		return "warning"
	}
}

// artifactURI is the file a result points at, as a URI reference relative
// to the scanned root: the path itself, or for an archive member the
// outermost archive, the file that is actually in the repository.
func artifactURI(l *finding.Location, red *redactor) string {
	p := l.Path
	if l.Archive != "" {
		p, _, _ = strings.Cut(l.Archive, "!/")
	}
	p = red.text(slashPath(p))
	if p == "" {
		// Content with no file (an image's config, stdin): name what was
		// scanned so the result still has the location GitHub requires.
		p = firstOf(red.text(l.Image), l.Kind, "unknown")
	}
	return fileURI(p)
}

// fileURI turns a slash path into a URI reference: relative paths are
// percent-encoded as relative references, absolute ones become file URIs.
func fileURI(p string) string {
	if len(p) >= 3 && p[1] == ':' && p[2] == '/' && unicode.IsLetter(rune(p[0])) {
		p = "/" + p // Windows drive path
	}
	if strings.HasPrefix(p, "/") {
		return (&url.URL{Scheme: "file", Path: path.Clean(p)}).String()
	}
	// url.URL guards a first segment with a colon ("a:b" would parse as a
	// scheme) by prefixing "./".
	return (&url.URL{Path: path.Clean(p)}).String()
}

// region is where the secret sits. Lines and columns are 1-based; for an
// archive member the physical file is the archive, so only its first line
// is named and the member's position goes in the message. A secret in a
// binary has no line: its byte offset and length place it (the length of
// the secret as found; a UTF-16 string takes twice as many bytes).
func region(f *finding.Finding) *sarif.Region {
	l := &f.Location
	if l.Archive != "" {
		return sarif.NewRegion().WithStartLine(1)
	}
	if l.Line == 0 && f.Secret != "" {
		return sarif.NewRegion().WithByteOffset(int(l.Offset)).WithByteLength(len(f.Secret))
	}
	line, col := max(l.Line, 1), max(l.Column, 1)
	r := sarif.NewRegion().WithStartLine(line).WithStartColumn(col)
	if l.EndLine > 0 {
		end := max(l.EndLine, line)
		r.WithEndLine(end)
		if l.EndColumn >= 1 && (end > line || l.EndColumn >= col) {
			r.WithEndColumn(l.EndColumn)
		}
	}
	return r
}

// ruleName turns a rule id into the CamelCase name SARIF suggests, e.g.
// "aws-access-token" -> "AwsAccessToken".
func ruleName(id string) string {
	var b strings.Builder
	up := true
	for _, r := range id {
		if r == '-' || r == '_' || r == '.' || r == ' ' {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return id
	}
	return b.String()
}

func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}

// firstOf returns the first non-empty string.
func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func ptr[T any](v T) *T { return &v }
