package verify

// Mistral: GET /v1/models answers any live key.
var mistral = &Verifier{
	Provider: "mistral",
	Rules:    []string{"mistral-api-key"},
	Endpoint: "https://api.mistral.ai/v1",
	Check:    modelList("Mistral"),
}
