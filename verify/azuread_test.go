package verify

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/finding"
)

// azureGUIDSynth is a random GUID-shaped id.
func azureGUIDSynth() string {
	return synth(alphaHex, 8) + "-" + synth(alphaHex, 4) + "-4" + synth(alphaHex, 3) + "-a" + synth(alphaHex, 3) + "-" + synth(alphaHex, 12)
}

// azureSecretSynth is a random secret in the format of Entra client
// secrets (three characters, a digit, Q~, then 34).
func azureSecretSynth() string {
	return synth(alphaB62, 3) + synth(alphaDigits, 1) + "Q~" + synth(alphaB62, 34)
}

// azureJWT is an unsigned JWT with the given claims, as a token's payload
// is read.
func azureJWT(t *testing.T, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"typ":"JWT","alg":"RS256"}`)) + "." + enc.EncodeToString(payload) + "." + enc.EncodeToString([]byte("sig"))
}

// azureError writes Entra's token endpoint error.
func azureError(w http.ResponseWriter, status int, errName string, code int, text string) {
	writeAnswer(w, status, fmt.Sprintf(`{"error":%q,"error_description":"AADSTS%d: %s\r\nTrace ID: 0c2b\r\nCorrelation ID: 9a1f\r\nTimestamp: 2026-01-02 03:04:05Z","error_codes":[%d],"timestamp":"2026-01-02 03:04:05Z","trace_id":"0c2b","correlation_id":"9a1f"}`, errName, code, text, code))
}

// azureTenant is a fake Entra tenant: its applications' secrets, by
// client id.
type azureTenant map[string]string

// newAzureProvider is a fake login.microsoftonline.com: it checks each
// request as the token endpoint would see it and answers as Entra does.
func newAzureProvider(t *testing.T, tenants map[string]azureTenant, token string, busy, expired string) *provider {
	return newProvider(t, func(w http.ResponseWriter, r *http.Request) {
		tenant, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/"), "/oauth2/v2.0/token")
		if r.Method != "POST" || !ok || strings.Contains(tenant, "/") {
			t.Errorf("request %s %s, want POST /{tenant}/oauth2/v2.0/token", r.Method, r.URL.Path)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("content type %q", ct)
		}
		if r.Header.Get("Authorization") != "" {
			t.Error("the secret went in a header, not the form")
		}
		if err := r.ParseForm(); err != nil {
			t.Errorf("form: %v", err)
			return
		}
		if r.URL.RawQuery != "" {
			t.Errorf("query %q: the form goes in the body", r.URL.RawQuery)
		}
		if g, s := r.PostForm.Get("grant_type"), r.PostForm.Get("scope"); g != "client_credentials" || s != "https://graph.microsoft.com/.default" {
			t.Errorf("grant_type %q scope %q", g, s)
		}
		client, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		apps, ok := tenants[tenant]
		switch {
		case secret == busy:
			writeAnswer(w, 429, `{"error":"temporarily_unavailable"}`, "Retry-After", "120")
		case !ok:
			azureError(w, 400, "invalid_request", 90002, "Tenant '"+tenant+"' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.")
		case apps[client] == "":
			azureError(w, 400, "unauthorized_client", 700016, "Application with identifier '"+client+"' was not found in the directory 'Acme'.")
		case secret == expired:
			azureError(w, 401, "invalid_client", 7000222, "The provided client secret keys for app '"+client+"' are expired.")
		case apps[client] != secret:
			azureError(w, 401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '"+client+"'.")
		default:
			writeAnswer(w, 200, `{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"`+token+`"}`)
		}
	})
}

func TestAzureAD(t *testing.T) {
	t.Parallel()
	tenant, other, stray := azureGUIDSynth(), azureGUIDSynth(), azureGUIDSynth()
	app, app2, unknownApp := azureGUIDSynth(), azureGUIDSynth(), azureGUIDSynth()
	secret, secret2, dead, busy, expired := azureSecretSynth(), azureSecretSynth(), azureSecretSynth(), azureSecretSynth(), azureSecretSynth()
	const domain = "acmeprod.onmicrosoft.com"
	token := azureJWT(t, map[string]any{"aud": "https://graph.microsoft.com", "tid": tenant, "appid": app, "roles": []string{"User.Read.All", "Mail.Send"}})
	p := newAzureProvider(t, map[string]azureTenant{
		tenant: {app: secret, app2: secret2},
		domain: {app: secret},
		other:  {app2: secret2},
	}, token, busy, expired)
	parts := func(tenants, clients []string) []finding.Finding {
		return partFindings("azure-ad-tenant-id", tenants, "azure-ad-client-id", clients)
	}
	reaches := func(client, tenant string) string {
		return "Azure app registration " + client + " in tenant " + tenant + ": Microsoft Graph with the application's granted permissions"
	}
	live := liveAs(app+" (tenant "+tenant+")", reaches(app, tenant), "User.Read.All", "Mail.Send")
	rule := "azure-ad-client-secret"
	runProviderCases(t, azureAD, p.URL, []providerCase{
		{name: "live", rule: rule, secret: secret, others: parts([]string{tenant}, []string{app}), want: live},
		{name: "ids in capitals", rule: rule, secret: secret, others: parts([]string{strings.ToUpper(tenant)}, []string{strings.ToUpper(app)}), want: live},
		{name: "onmicrosoft.com tenant", rule: rule, secret: secret, others: parts([]string{"AcmeProd.onmicrosoft.com"}, []string{app}),
			want: liveAs(app+" (tenant "+domain+")", reaches(app, domain), "User.Read.All", "Mail.Send")},
		// A tenant that doesn't exist, then an application not in the
		// tenant: each pair is tried until one signs in.
		{name: "second candidate pair", rule: rule, secret: secret, others: parts([]string{stray, tenant}, []string{unknownApp, app}), want: live},
		{name: "the other application's secret", rule: rule, secret: secret2, others: parts([]string{tenant}, []string{app, app2}),
			want: liveAs(app2+" (tenant "+tenant+")", reaches(app2, tenant), "User.Read.All", "Mail.Send")},
		{name: "dead secret", rule: rule, secret: dead, others: parts([]string{tenant}, []string{app}), want: invalidBecause("not valid for application " + app + " in tenant " + tenant + " (AADSTS7000215)")},
		// The secret rejected by an application that exists says more
		// than a pair that doesn't.
		{name: "dead secret among wrong pairs", rule: rule, secret: dead, others: parts([]string{stray, tenant}, []string{unknownApp, app}), want: invalidBecause("AADSTS7000215")},
		{name: "expired secret", rule: rule, secret: expired, others: parts([]string{tenant}, []string{app}), want: invalidBecause("has expired (AADSTS7000222)")},
		{name: "no such application", rule: rule, secret: secret, others: parts([]string{tenant}, []string{unknownApp}), want: invalidBecause("no application " + unknownApp + " in tenant " + tenant + " (AADSTS700016)")},
		{name: "no such tenant", rule: rule, secret: secret, others: parts([]string{stray}, []string{app}), want: invalidBecause("no tenant " + stray + " (AADSTS90002)")},
		{name: "rate limited", rule: rule, secret: busy, others: parts([]string{tenant}, []string{app}), want: unknownBecause("rate limited by Microsoft Entra ID")},
		{name: "no tenant id", rule: rule, secret: secret, others: parts(nil, []string{app}), want: unknownBecause("no tenant id")},
		{name: "no client id", rule: rule, secret: secret, others: parts([]string{tenant}, nil), want: unknownBecause("no application (client) id")},
		{name: "no ids", rule: rule, secret: secret, want: unknownBecause("neither was found")},
		// Only a GUID or NAME.onmicrosoft.com goes into the path.
		{name: "tenant that is not a tenant id", rule: rule, secret: secret,
			others: parts([]string{"evil.example/x", "acme.example.com", "../" + tenant, "a.b.onmicrosoft.com"}, []string{app}), want: unknownBecause("no tenant id")},
		{name: "client id that is not a GUID", rule: rule, secret: secret, others: parts([]string{tenant}, []string{"my-app"}), want: unknownBecause("no application (client) id")},
	})
}

// TestAzureADCandidates: at most three tenant ids and three client ids are
// tried, and a tenant that doesn't exist is not asked about again.
func TestAzureADCandidates(t *testing.T) {
	t.Parallel()
	tenant := azureGUIDSynth()
	app, secret := azureGUIDSynth(), azureSecretSynth()
	p := newAzureProvider(t, map[string]azureTenant{tenant: {app: secret}}, azureJWT(t, map[string]any{}), "", "")
	var others []finding.Finding
	for range 3 {
		others = append(others, mkFinding("azure-ad-tenant-id", azureGUIDSynth()))
	}
	others = append(others, mkFinding("azure-ad-tenant-id", tenant)) // fourth: never tried
	for range 4 {
		others = append(others, mkFinding("azure-ad-client-id", azureGUIDSynth()))
	}
	got := verifyOne(t, azureAD, p.URL, "azure-ad-client-secret", secret, others...)
	checkVerdict(t, "fourth tenant", got, verdict{status: finding.Invalid, reason: "AADSTS90002"})
	if n := p.hits.Load(); n != 3 {
		t.Errorf("%d requests, want 3 (one per tenant that doesn't exist)", n)
	}
}

// TestAzureADFromFile: in a scan, the tenant and client ids come from the
// part-only rules that find them beside the secret, as an az CLI
// service principal's JSON or an .env file holds them.
func TestAzureADFromFile(t *testing.T) {
	t.Parallel()
	tenant, app, secret := azureGUIDSynth(), azureGUIDSynth(), azureSecretSynth()
	p := newAzureProvider(t, map[string]azureTenant{tenant: {app: secret}}, azureJWT(t, map[string]any{"roles": []string{"Directory.Read.All"}}), "", "")
	files := map[string]string{
		"sp.json": `{
  "appId": "` + app + `",
  "displayName": "deploy",
  "password": "` + secret + `",
  "tenant": "` + tenant + `"
}
`,
		".env": "AZURE_TENANT_ID=" + tenant + "\nAZURE_CLIENT_ID=" + app + "\nAZURE_CLIENT_SECRET=" + secret + "\n",
	}
	for path, content := range files {
		fs := detectRule(t, "azure-ad-client-secret", path, content)
		if len(fs) != 1 {
			t.Errorf("%s: %d findings of the secret, want 1", path, len(fs))
			continue
		}
		got := verifyFinding(t, azureAD, p.URL, fs[0])
		checkVerdict(t, path, got, verdict{status: finding.Verified, identity: app + " (tenant " + tenant + ")", scopes: []string{"Directory.Read.All"}})
	}
}
