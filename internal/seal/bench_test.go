package seal

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// benchFixture: 20 services x 10 keys with a 4096-bit key, as the controller uses.
func benchFixture(b *testing.B) (fixture, testKey) {
	b.Helper()
	k := newTestKey4096(b)
	svcs := map[string]string{}
	for i := 0; i < 20; i++ {
		svcs[fmt.Sprintf("svc%02d", i)] = fmt.Sprintf("ns%02d", i)
	}
	f := newFixture(b, svcs)
	for svc := range svcs {
		m := map[string]string{}
		for j := 0; j < 10; j++ {
			m[fmt.Sprintf("KEY_%d", j)] = fmt.Sprintf("value-%s-%d-0123456789abcdef", svc, j)
		}
		writePlain(b, f, svc, m)
	}
	return f, k
}

func newTestKey4096(b *testing.B) testKey {
	b.Helper()
	return newTestKeyBits(b, 4096, testNow.Add(-time.Hour), 365*24*time.Hour)
}

// BenchmarkSealForce reseals 200 keys (20 services x 10) per iteration.
func BenchmarkSealForce(b *testing.B) {
	f, k := benchFixture(b)
	o := f.opts(k)
	o.Force = true
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Run(context.Background(), o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSealNoChange runs seal over 200 sealed, unchanged keys.
func BenchmarkSealNoChange(b *testing.B) {
	f, k := benchFixture(b)
	f.seal(b, f.opts(k))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Run(context.Background(), f.opts(k)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSealForceCold reseals 200 keys (20 services x 10) per iteration
// as a new process does: a new workspace, no render cache, so every
// service is rendered to locate it while keys are encrypted.
func BenchmarkSealForceCold(b *testing.B) {
	f, k := benchFixture(b)
	f.seal(b, f.opts(k))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		o := f.opts(k)
		o.Force = true
		if _, err := Run(context.Background(), o); err != nil {
			b.Fatal(err)
		}
	}
}
