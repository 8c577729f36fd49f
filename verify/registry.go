package verify

// All returns the built-in verifiers: an explicit list, no init() magic.
func All() []*Verifier {
	return []*Verifier{
		airtable,
		anthropic,
		asana,
		atlassian,
		aws,
		azureAD,
		azureDevOps,
		bitbucket,
		brevo,
		buildkite,
		circleCI,
		cloudflare,
		cohere,
		datadog,
		deepSeek,
		digitalOcean,
		discord,
		dockerHub,
		doppler,
		dropbox,
		figma,
		flyIO,
		gcpServiceAccount,
		gitHub,
		gitLab,
		googleAPIKey,
		googleOAuth,
		grafanaCloud,
		groq,
		heroku,
		huggingFace,
		intercom,
		linear,
		mailchimp,
		mailgun,
		mailjet,
		mapbox,
		mistral,
		netlify,
		newRelic,
		notion,
		npm,
		openAI,
		pagerDuty,
		perplexity,
		postman,
		postmark,
		pulumi,
		pyPI,
		replicate,
		rubyGems,
		sendGrid,
		sentry,
		shopify,
		slack,
		snyk,
		square,
		stripe,
		telegram,
		terraform,
		together,
		travisCI,
		twilio,
		vercel,
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
