package verify

import "github.com/leakhound/leakhound/finding"

// acrossSites asks check at the provider's endpoint, then at each named
// site in turn, until one accepts the credential: a key lives in one
// region, and every other region rejects it. It returns that answer and
// the site's name ("" for the endpoint). When none accepts, a site that
// could not say (rate limited, down) makes the answer unknown; only
// rejections everywhere make it invalid. A site that resolves to a URL
// already asked (the user pointed every site at one endpoint) is skipped.
func acrossSites(call *Call, names []string, check func(*Call) finding.Verification) (finding.Verification, string) {
	v := check(call)
	if v.Status == finding.Verified {
		return v, ""
	}
	var unsure *finding.Verification
	if v.Status != finding.Invalid {
		u := v
		unsure = &u
	}
	asked := map[string]bool{call.base.String(): true}
	for _, name := range names {
		s, err := call.Site(name)
		if err != nil || asked[s.base.String()] {
			continue
		}
		asked[s.base.String()] = true
		sv := check(s)
		switch {
		case sv.Status == finding.Verified:
			return sv, name
		case sv.Status != finding.Invalid && unsure == nil:
			unsure = &sv
		case sv.Status == finding.Invalid:
			v = sv
		}
	}
	if unsure != nil {
		return *unsure, ""
	}
	return v, ""
}
