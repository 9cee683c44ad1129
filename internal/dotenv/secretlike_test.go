package dotenv

import "testing"

func TestLooksSecret(t *testing.T) {
	patterns := []string{"*_PASSWORD", "*_TOKEN", "*_KEY"}
	for _, tc := range []struct {
		key, value string
		secret     bool
	}{
		{"DB_PASSWORD", "x", true},
		{"API_TOKEN", "", true},
		{"SIGNING_KEY", "abc", true},
		{"LOG_LEVEL", "debug", false},
		{"KEY_ID", "abc", false},
		{"DATABASE_URL", "postgres://app:s3cret@db:5432/app", true},
		{"JDBC", "jdbc:postgresql://app:pw@db/app?ssl=true", true},
		{"BROKERS", "kafka://a:9092,kafka://b:9092", false},
		{"UPSTREAM", "https://user@example.com/x", false},
		{"UPSTREAM", "https://example.com:8443/x", false},
		{"PROXY", "http://user:@proxy:3128", false},
		{"LINK", "see https://example.com/a:b@c", false},
	} {
		got := LooksSecret(tc.key, tc.value, patterns)
		if (got != "") != tc.secret {
			t.Errorf("LooksSecret(%s, %q) = %q, want secret=%v", tc.key, tc.value, got, tc.secret)
		}
	}
}
