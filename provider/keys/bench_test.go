package keys_test

import (
	"context"
	"testing"

	"github.com/tongxing/tongxing/provider/keys"
)

// BenchmarkSign measures the raw signing rate of this machine for a typical
// id_token payload, on one goroutine and on all of them; sigs/s is the
// figure to compare with the expected token issuance rate.
func BenchmarkSign(b *testing.B) {
	set := newSet(b, newRepo(b), keys.Options{})
	if err := set.Ensure(context.Background(), keys.RS256, keys.ES256); err != nil {
		b.Fatal(err)
	}
	payload := []byte(`{"iss":"https://id.example.com","sub":"3f9c2a7e","aud":"client-1","exp":1900000000,"iat":1899996400,"auth_time":1899996390,"nonce":"n-0S6_WzA2Mj","sid":"08a5019c"}`)
	for _, alg := range []string{keys.RS256, keys.ES256} {
		b.Run(alg+"/serial", func(b *testing.B) {
			for b.Loop() {
				if _, err := set.Sign(alg, "JWT", payload); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sigs/s")
		})
		b.Run(alg+"/parallel", func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := set.Sign(alg, "JWT", payload); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sigs/s")
		})
	}
}
