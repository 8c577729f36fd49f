package verify

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// azureGraphScope is asked for because the client credentials grant needs
// a resource; the access token returned is read, never used.
const azureGraphScope = "https://graph.microsoft.com/.default"

// Azure AD (Microsoft Entra ID) client secrets: a secret signs in only
// with its application (client) id and tenant, which the part-only rules
// azure-ad-client-id and azure-ad-tenant-id find in the same file. The
// check is the client credentials grant at the tenant's token endpoint
// (POST /{tenant}/oauth2/v2.0/token on login.microsoftonline.com, for
// Microsoft Graph): an access token means the secret is live, and the
// token's roles are the Graph application permissions granted to the app.
// Entra answers AADSTS7000215 to a wrong secret and AADSTS7000222 to an
// expired one; AADSTS700016 (no such application in the tenant) and
// AADSTS90002 (no such tenant) say the pair was wrong, so the other ids
// found are tried (up to three of each) until one pair answers. The
// tenant goes into the path, so it must be a GUID or NAME.onmicrosoft.com.
var azureAD = &Verifier{
	Provider: "azuread",
	Rules:    []string{"azure-ad-client-secret"},
	Parts:    []string{"azure-ad-tenant-id", "azure-ad-client-id"},
	Endpoint: "https://login.microsoftonline.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		tenants := partCandidates(req.Part("azure-ad-tenant-id"), validAzureTenant)
		clients := partCandidates(req.Part("azure-ad-client-id"), azureGUID.MatchString)
		switch {
		case len(tenants) == 0 && len(clients) == 0:
			return unknown("an Azure AD client secret signs in only with its application (client) id and tenant id: neither was found beside it")
		case len(tenants) == 0:
			return unknown("an Azure AD client secret signs in only with its tenant: no tenant id (a GUID or NAME.onmicrosoft.com) found beside it")
		case len(clients) == 0:
			return unknown("an Azure AD client secret signs in only with its application: no application (client) id found beside it")
		}
		var best finding.Verification
		bestRank := -1
		for _, tenant := range tenants {
			for _, client := range clients {
				v, rank := azureClientCredentials(ctx, call, tenant, client, req.Secret)
				if v.Status != finding.Invalid {
					return v
				}
				if rank > bestRank {
					best, bestRank = v, rank
				}
				if rank == azureNoTenant {
					break // no other client id helps in a tenant that doesn't exist
				}
			}
		}
		return best
	},
}

// How telling a rejection is, least first: the answer of the pair that
// got furthest is the one reported.
const (
	azureNoTenant = iota
	azureNoApp
	azureSecretRejected
)

var (
	azureGUID          = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	azureTenantDomain  = lazyRegexp(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.onmicrosoft\.com$`)
	azureAADSTS        = regexp.MustCompile(`\bAADSTS(\d+)\b`)
	azureNoTenantCodes = []int{90002, 900023}
)

// validAzureTenant: a tenant id (GUID) or a NAME.onmicrosoft.com domain,
// lowercased, and nothing else may go into the token endpoint's path.
func validAzureTenant(s string) bool {
	return azureGUID.MatchString(s) || azureTenantDomain().MatchString(s)
}

// azureClientCredentials asks for a Graph token with one tenant and client
// id. For a rejection, rank says how far the pair got.
func azureClientCredentials(ctx context.Context, call *Call, tenant, client, secret string) (v finding.Verification, rank int) {
	if !validAzureTenant(tenant) {
		return unknown("%q is not an Azure tenant id", tenant), azureNoTenant
	}
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {client},
		"client_secret": {secret},
		"scope":         {azureGraphScope},
	}
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"application/json"}}
	resp, err := call.Do(ctx, http.MethodPost, "/"+tenant+"/oauth2/v2.0/token", h, []byte(form.Encode()))
	if err != nil {
		return failed(err), 0
	}
	if resp.Status == http.StatusBadRequest || resp.Status == http.StatusUnauthorized {
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
			Codes       []int  `json:"error_codes"`
		}
		if err := decodeJSON(resp, &e); err != nil {
			return unknown("%v", err), 0
		}
		code := 0
		if len(e.Codes) > 0 {
			code = e.Codes[0]
		} else if m := azureAADSTS.FindStringSubmatch(e.Description); m != nil {
			code, _ = strconv.Atoi(m[1])
		}
		switch {
		case code == 7000215:
			return invalid("Microsoft Entra ID: the client secret is not valid for application %s in tenant %s (AADSTS7000215)", client, tenant), azureSecretRejected
		case code == 7000222:
			return invalid("Microsoft Entra ID: the client secret of application %s in tenant %s has expired (AADSTS7000222)", client, tenant), azureSecretRejected
		case code == 700016:
			return invalid("Microsoft Entra ID: no application %s in tenant %s (AADSTS700016)", client, tenant), azureNoApp
		case slices.Contains(azureNoTenantCodes, code):
			return invalid("Microsoft Entra ID: no tenant %s (AADSTS%d)", tenant, code), azureNoTenant
		}
		return unknown("Microsoft Entra ID (HTTP %d): %s", resp.Status, firstOf(azureFirstLine(e.Description), e.Error, "no description")), 0
	}
	v, ok := byStatus(resp, false)
	if !ok {
		return unclear("Microsoft Entra ID", resp), 0
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := decodeJSON(resp, &tok); err != nil || tok.AccessToken == "" {
		return unknown("answer is not the JSON expected (HTTP %d)", resp.Status), 0
	}
	v.Identity = client + " (tenant " + tenant + ")"
	v.Reaches = "Azure app registration " + client + " in tenant " + tenant + ": Microsoft Graph with the application's granted permissions"
	v.Scopes = jwtRoles(tok.AccessToken)
	return v, 0
}

// azureFirstLine is the first line of an Entra error description, which
// goes on with trace and correlation ids and a timestamp.
func azureFirstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return clipMessage(s)
}

// jwtRoles reads the roles claim of a JWT's payload, unverified: the
// token came from the provider over TLS, and the roles only describe it.
func jwtRoles(token string) []string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil
	}
	var claims struct {
		Roles []string `json:"roles"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return nil
	}
	return claims.Roles
}
