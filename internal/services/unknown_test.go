package services

import (
	"reflect"
	"testing"
)

func TestSuggest(t *testing.T) {
	known := []string{"backend", "frontend", "api", "processor"}
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"backnd", []string{"backend"}},
		{"Frontend", []string{"frontend"}},
		{"proc", []string{"processor"}}, // a prefix
		{"apx", []string{"api"}},
		{"zzzzzz", nil},
		{"", nil},
	} {
		if got := Suggest(tc.name, known); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Suggest(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestUnknownErrorMessage(t *testing.T) {
	e := &UnknownError{Kind: "service", Name: "backnd", Detail: "no chart at charts/backnd", Label: "services", Known: []string{"backend", "web"}}
	want := `unknown service "backnd": no chart at charts/backnd (services: backend, web); did you mean "backend"?`
	if e.Error() != want {
		t.Fatalf("got  %s\nwant %s", e.Error(), want)
	}
	e = &UnknownError{Kind: "service", Name: "x", Label: "services"}
	if want := `unknown service "x" (services: none)`; e.Error() != want {
		t.Fatalf("got %s, want %s", e.Error(), want)
	}
}
