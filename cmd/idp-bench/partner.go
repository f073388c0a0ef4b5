package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Paths of the partner open API, in its JSON format.
const (
	pathPartnerAuthorize = "/apis/rest/authService/authorize/json"
	pathPartnerUserInfo  = "/apis/rest/userService/getUserInfo/json"
)

// partnerProof is the p_ of a t_ (epoch milliseconds) as the partner
// document defines it: (t_ % 10000) * 3 + 2345.
func partnerProof(t int64) int64 { return t%10000*3 + 2345 }

// partnerStamp returns the t_ and p_ query parameters for the instant now.
func partnerStamp(now time.Time) string {
	t := now.UnixMilli()
	return "t_=" + strconv.FormatInt(t, 10) + "&p_=" + strconv.FormatInt(partnerProof(t), 10)
}

// partnerBasic is the partner API's Authorization header: the ID and
// secret as they are, without the form encoding of the token endpoint.
func partnerBasic(c credentials) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(c.ID+":"+c.Secret))
}

// partnerCall sends a partner call and returns the envelope's body when
// its code is 200.
func partnerCall(ctx context.Context, w *worker, u, auth string) (time.Time, []byte, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	req.Header.Set("Authorization", auth)
	start := time.Now()
	b, err := sendOK(w, req)
	if err != nil {
		return start, nil, err
	}
	if code, _ := jsonInt(b, "code"); code != 200 {
		return start, nil, fmt.Errorf("envelope code is not 200: %s", clip(b))
	}
	return start, b, nil
}

// partnerAuthorizeURL is an authorize call for a user's access token,
// stamped now.
func partnerAuthorizeURL(base, access string, now time.Time) string {
	return base + pathPartnerAuthorize + "?access_token=" + url.QueryEscape(access) + "&" + partnerStamp(now)
}

func partnerAuthorize(ctx context.Context, e *env, p plan) (op, string, error) {
	c, err := e.client(clientPartner)
	if err != nil {
		return nil, "", err
	}
	toks, err := e.newUserTokens(ctx, tokenPoolSize(p))
	if err != nil {
		return nil, "", err
	}
	pool := &rotating[userTokens]{items: toks}
	auth := partnerBasic(c)
	return func(ctx context.Context, w *worker) (time.Time, error) {
		start, b, err := partnerCall(ctx, w, partnerAuthorizeURL(e.base, pool.get().access, time.Now()), auth)
		if err != nil {
			return start, err
		}
		if c, _ := jsonField(b, "auth_code"); c == "" {
			return start, fmt.Errorf("no auth_code in %s", clip(b))
		}
		return start, nil
	}, fmt.Sprintf("%d user tokens in turn", len(toks)), nil
}

// partnerGrant is a user's access token with an auth_code issued for it.
type partnerGrant struct{ access, code string }

func partnerUserInfo(ctx context.Context, e *env, p plan) (op, string, error) {
	c, err := e.client(clientPartner)
	if err != nil {
		return nil, "", err
	}
	toks, err := e.newUserTokens(ctx, tokenPoolSize(p))
	if err != nil {
		return nil, "", err
	}
	auth := partnerBasic(c)
	w := &worker{client: e.setup}
	grants := make([]partnerGrant, 0, len(toks))
	for _, t := range toks {
		_, b, err := partnerCall(ctx, w, partnerAuthorizeURL(e.base, t.access, time.Now()), auth)
		if err != nil {
			return nil, "", fmt.Errorf("partner authorize: %w", err)
		}
		code, _ := jsonField(b, "auth_code")
		grants = append(grants, partnerGrant{access: t.access, code: code})
	}
	pool := &rotating[partnerGrant]{items: grants}
	return func(ctx context.Context, w *worker) (time.Time, error) {
		g := pool.get()
		u := e.base + pathPartnerUserInfo + "?access_token=" + url.QueryEscape(g.access) + "&auth_code=" + url.QueryEscape(g.code) + "&" + partnerStamp(time.Now())
		start, b, err := partnerCall(ctx, w, u, auth)
		if err != nil {
			return start, err
		}
		if name, _ := jsonField(b, "username"); name == "" {
			return start, fmt.Errorf("no username in %s", clip(b))
		}
		return start, nil
	}, fmt.Sprintf("%d access tokens with their auth_codes in turn", len(grants)), nil
}
