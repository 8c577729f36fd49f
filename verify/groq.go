package verify

// Groq: its OpenAI-compatible API lists models for any key.
var groq = &Verifier{
	Provider: "groq",
	Rules:    []string{"groq-api-key"},
	Endpoint: "https://api.groq.com/openai/v1",
	Check:    modelList("Groq"),
}
