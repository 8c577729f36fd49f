package verify

import (
	"context"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"

	"github.com/leakhound/leakhound/finding"
)

// Mailjet: the REST API authenticates with Basic APIKEY:SECRETKEY and GET
// /v3/REST/user names the account; the SMS API takes a Bearer token, which
// lists the account's SMS (GET /v4/sms?Limit=1). Three rules find these:
// the Basic value as it is (base64 of key:secret), an SMS token, and
// mailjet-secret, which finds the API key and the secret key alike (both
// 32 hex), so a finding of it is tried with each other one in its file, in
// both orders.
var mailjet = &Verifier{
	Provider: "mailjet",
	Rules:    []string{"mailjet-sms-token", "mailjet-basic-auth", "mailjet-secret"},
	Parts:    []string{"mailjet-secret"},
	Endpoint: "https://api.mailjet.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		switch req.RuleID {
		case "mailjet-sms-token":
			return mailjetSMS(ctx, call, req.Secret)
		case "mailjet-basic-auth":
			raw, err := base64.StdEncoding.DecodeString(req.Secret)
			if err != nil || !strings.Contains(string(raw), ":") {
				return unknown("not base64 of a Mailjet key:secret pair")
			}
			return mailjetUser(ctx, call, header("Authorization", "Basic "+req.Secret))
		}
		var others []string
		for _, s := range req.Part("mailjet-secret") {
			if s != req.Secret && !slices.Contains(others, s) {
				others = append(others, s)
			}
		}
		if len(others) == 0 {
			return unknown("a Mailjet API key works only with its secret key (and the other way round): no other Mailjet key found beside it")
		}
		if len(others) > 3 {
			others = others[:3]
		}
		var last finding.Verification
		for _, o := range others {
			for _, pair := range [][2]string{{o, req.Secret}, {req.Secret, o}} {
				last = mailjetUser(ctx, call, basicAuth(pair[0], pair[1]))
				if last.Status != finding.Invalid {
					return last
				}
			}
		}
		return last
	},
}

func mailjetUser(ctx context.Context, call *Call, h http.Header) finding.Verification {
	resp, err := call.Get(ctx, "/v3/REST/user", h)
	if err != nil {
		return failed(err)
	}
	if resp.Status == http.StatusUnauthorized {
		return rejectedBy("Mailjet", resp)
	}
	v, ok := byStatus(resp, false)
	if !ok {
		return unclear("Mailjet", resp)
	}
	var body struct {
		Data []struct {
			ID       int64  `json:"ID"`
			Email    string `json:"Email"`
			Username string `json:"Username"`
		} `json:"Data"`
	}
	if err := decodeJSON(resp, &body); err != nil {
		return unknown("%v", err)
	}
	if len(body.Data) == 0 {
		return unknown("Mailjet's answer names no user")
	}
	u := body.Data[0]
	v.Identity = firstOf(u.Email, u.Username)
	v.Reaches = "Mailjet account " + v.Identity + ": sends mail, reads contacts"
	return v
}

func mailjetSMS(ctx context.Context, call *Call, token string) finding.Verification {
	resp, err := call.Get(ctx, "/v4/sms?Limit=1", bearer(token))
	if err != nil {
		return failed(err)
	}
	if resp.Status == http.StatusUnauthorized {
		return rejectedBy("Mailjet", resp)
	}
	v, ok := byStatus(resp, false)
	if !ok {
		return unclear("Mailjet", resp)
	}
	var body map[string]any
	if err := decodeJSON(resp, &body); err != nil {
		return unknown("%v", err)
	}
	v.Reaches = "Mailjet SMS API: sends SMS billed to the account"
	return v
}
