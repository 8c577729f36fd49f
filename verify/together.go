package verify

// Together AI: GET /v1/models answers any live key, new (tgp_v1_) or
// legacy (64 hex).
var together = &Verifier{
	Provider: "together",
	Rules:    []string{"together-v1-api-key", "together-api-key"},
	Endpoint: "https://api.together.xyz/v1",
	Check:    modelList("Together AI"),
}
