package verify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/leakhound/leakhound/finding"
)

// AWS: sts:GetCallerIdentity needs no permission at all, so any live key
// pair answers it, with the account, the ARN and the user id. The pair is
// two findings (the access key id and the secret key) found together; each
// is verified with the other.
var aws = &Verifier{
	Provider: "aws",
	Rules:    []string{"aws-secret-access-key", "aws-access-key-id"},
	Parts:    []string{"aws-access-key-id", "aws-secret-access-key"},
	Endpoint: "https://sts.amazonaws.com",
	Check: func(ctx context.Context, call *Call, req Request) finding.Verification {
		var pairs [][2]string // id, secret
		if req.RuleID == "aws-access-key-id" {
			for _, s := range req.Part("aws-secret-access-key") {
				pairs = append(pairs, [2]string{req.Secret, s})
			}
		} else {
			for _, id := range req.Part("aws-access-key-id") {
				pairs = append(pairs, [2]string{id, req.Secret})
			}
		}
		if len(pairs) == 0 {
			return unknown("no AWS key pair: the other half was not found next to this one")
		}
		// Beside one secret there are rarely more than a couple of ids.
		if len(pairs) > 4 {
			pairs = pairs[:4]
		}
		var last finding.Verification
		for _, p := range pairs {
			last = awsCallerIdentity(ctx, call, p[0], p[1], time.Now())
			if last.Status == finding.Verified {
				return last
			}
		}
		return last
	},
}

const stsBody = "Action=GetCallerIdentity&Version=2011-06-15"

func awsCallerIdentity(ctx context.Context, call *Call, id, secret string, now time.Time) finding.Verification {
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}
	signV4(h, "POST", call.base.Host, "/", "", []byte(stsBody), id, secret, "us-east-1", "sts", now)
	resp, err := call.Do(ctx, "POST", "/", h, []byte(stsBody))
	if err != nil {
		return failed(err)
	}
	switch resp.Status {
	case http.StatusOK:
		var out struct {
			Result struct {
				Arn     string `xml:"Arn"`
				Account string `xml:"Account"`
				UserID  string `xml:"UserId"`
			} `xml:"GetCallerIdentityResult"`
		}
		if err := xml.Unmarshal(resp.Body, &out); err != nil || out.Result.Arn == "" {
			return unknown("answer is not the XML expected (HTTP 200)")
		}
		return finding.Verification{Status: finding.Verified, Identity: out.Result.Arn,
			Reaches: "AWS account " + out.Result.Account + " as " + out.Result.Arn}
	case http.StatusForbidden, http.StatusUnauthorized, http.StatusBadRequest:
		var e struct {
			Error struct {
				Code string `xml:"Code"`
			} `xml:"Error"`
		}
		xml.Unmarshal(resp.Body, &e)
		switch e.Error.Code {
		case "InvalidClientTokenId", "SignatureDoesNotMatch", "AccessDenied", "ExpiredToken", "InvalidAccessKeyId":
			return invalid("AWS: %s", e.Error.Code)
		}
		if e.Error.Code == "" {
			return unknown("unexpected answer: HTTP %d", resp.Status)
		}
		return unknown("AWS: %s", e.Error.Code)
	}
	v, _ := byStatus(resp, false)
	return v
}

// signV4 adds AWS Signature Version 4 headers (X-Amz-Date,
// Authorization) to a request for host, path and query with body.
func signV4(h http.Header, method, host, path, query string, body []byte, id, secret, region, service string, now time.Time) {
	amzDate := now.UTC().Format("20060102T150405Z")
	date := amzDate[:8]
	h.Set("X-Amz-Date", amzDate)
	payload := sha256.Sum256(body)

	// Canonical headers: host and every header set, lowercased, sorted.
	names := []string{"host"}
	values := map[string]string{"host": host}
	for k, vs := range h {
		lk := strings.ToLower(k)
		if lk == "authorization" {
			continue
		}
		names = append(names, lk)
		values[lk] = strings.Join(vs, ",")
	}
	sort.Strings(names)
	var canonHeaders strings.Builder
	for _, n := range names {
		canonHeaders.WriteString(n + ":" + strings.TrimSpace(values[n]) + "\n")
	}
	signed := strings.Join(names, ";")
	if path == "" {
		path = "/"
	}
	canonical := strings.Join([]string{method, path, canonicalQuery(query), canonHeaders.String(), signed, hex.EncodeToString(payload[:])}, "\n")
	scope := date + "/" + region + "/" + service + "/aws4_request"
	hashed := sha256.Sum256([]byte(canonical))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(hashed[:])
	key := signingKey(secret, date, region, service)
	sig := hex.EncodeToString(hmacSHA256(key, toSign))
	h.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+id+"/"+scope+", SignedHeaders="+signed+", Signature="+sig)
}

// signingKey derives SigV4's key for a day, region and service.
func signingKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// canonicalQuery sorts a query's parameters and encodes them as SigV4
// wants (RFC 3986, spaces as %20).
func canonicalQuery(q string) string {
	if q == "" {
		return ""
	}
	vals, err := url.ParseQuery(q)
	if err != nil {
		return q
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vs := vals[k]
		sort.Strings(vs)
		for _, v := range vs {
			parts = append(parts, awsEscape(k)+"="+awsEscape(v))
		}
	}
	return strings.Join(parts, "&")
}

func awsEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
