package verify

import (
	"context"
	"net/http"
	"strconv"

	"github.com/leakhound/leakhound/finding"
)

// Postmark: its rule finds server and account tokens alike (both UUIDs).
// A server token reads its server (GET /server); when Postmark refuses it
// as one, it is tried as an account token, which lists servers (GET
// /servers). Both reads are free. 401 is Postmark's answer to a bad token.
var postmark = &Verifier{
	Provider: "postmark",
	Rules:    []string{"postmark-server-token"},
	Endpoint: "https://api.postmarkapp.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		h := http.Header{"Accept": {"application/json"}, "X-Postmark-Server-Token": {req.Secret}}
		resp, err := call.Get(ctx, "/server", h)
		if err != nil {
			return failed(err)
		}
		switch {
		case resp.Status == http.StatusOK:
			var srv struct {
				ID   int64  `json:"ID"`
				Name string `json:"Name"`
			}
			if err := decodeJSON(resp, &srv); err != nil {
				return unknown("%v", err)
			}
			if srv.ID == 0 {
				return unknown("Postmark's answer names no server")
			}
			return finding.Verification{Status: finding.Verified, Identity: srv.Name,
				Reaches: "Postmark server " + strconv.Quote(srv.Name) + " (id " + strconv.FormatInt(srv.ID, 10) + "): sends mail as it"}
		case resp.Status != http.StatusUnauthorized:
			return unclear("Postmark", resp)
		}
		h = http.Header{"Accept": {"application/json"}, "X-Postmark-Account-Token": {req.Secret}}
		resp, err = call.Get(ctx, "/servers?count=1&offset=0", h)
		if err != nil {
			return failed(err)
		}
		if resp.Status == http.StatusUnauthorized {
			v := rejectedBy("Postmark", resp)
			v.Reason += " (as a server token and as an account token)"
			return v
		}
		v, ok := byStatus(resp, false)
		if !ok {
			return unclear("Postmark", resp)
		}
		var list struct {
			TotalCount *int `json:"TotalCount"`
			Servers    []struct {
				Name string `json:"Name"`
			} `json:"Servers"`
		}
		if err := decodeJSON(resp, &list); err != nil {
			return unknown("%v", err)
		}
		if list.TotalCount == nil {
			return unknown("Postmark's answer is not a list of servers")
		}
		v.Identity = "account token"
		v.Reaches = "Postmark account with " + plural(*list.TotalCount, "server", "servers") + " (account token: servers, domains, sender signatures)"
		return v
	},
}
