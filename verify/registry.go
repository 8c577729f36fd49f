package verify

// All returns the built-in verifiers: an explicit list, no init() magic.
func All() []*Verifier {
	return []*Verifier{
		aws,
		gitHub,
		gitLab,
		slack,
		stripe,
	}
}

// ForRule returns the verifier of a rule id, or nil.
func ForRule(id string) *Verifier {
	for _, v := range All() {
		for _, r := range v.Rules {
			if r == id {
				return v
			}
		}
	}
	return nil
}
