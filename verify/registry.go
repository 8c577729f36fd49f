package verify

// All returns the built-in verifiers: an explicit list, no init() magic.
func All() []*Verifier {
	return []*Verifier{
		airtable,
		anthropic,
		asana,
		aws,
		brevo,
		cohere,
		deepSeek,
		discord,
		dropbox,
		figma,
		gitHub,
		gitLab,
		groq,
		huggingFace,
		intercom,
		linear,
		mailchimp,
		mailgun,
		mailjet,
		mapbox,
		mistral,
		notion,
		openAI,
		perplexity,
		postman,
		postmark,
		replicate,
		sendGrid,
		shopify,
		slack,
		square,
		stripe,
		telegram,
		together,
		twilio,
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
