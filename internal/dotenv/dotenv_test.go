package dotenv

import (
	"bytes"
	"errors"
	"flag"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestParseValues(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want map[string]string
	}{
		{"plain", "A=b\n", map[string]string{"A": "b"}},
		{"no final newline", "A=b", map[string]string{"A": "b"}},
		{"crlf", "A=b\r\nB='x'\r\n", map[string]string{"A": "b", "B": "x"}},
		{"equals in value", "A=b=c==\n", map[string]string{"A": "b=c=="}},
		{"empty", "A=\nB=''\nC=\"\"\n", map[string]string{"A": "", "B": "", "C": ""}},
		{"blanks around", "  A =  b c  \n", map[string]string{"A": "b c"}},
		{"inline comment", "A=b # note\nB=c#d\nC= #only comment\nD=#x\n", map[string]string{"A": "b", "B": "c#d", "C": "", "D": "#x"}},
		{"export", "export A=1\nexport\tB='2'\n", map[string]string{"A": "1", "B": "2"}},
		{"single quoted literal", `A='a\nb "c" $HOME'` + "\n", map[string]string{"A": `a\nb "c" $HOME`}},
		{"double quoted escapes", `A="a\nb\tc\"d\\e\$f\qg"` + "\n", map[string]string{"A": "a\nb\tc\"d\\e$f\\qg"}},
		{"multi-line single", "A='l1\nl2\n'\nB=x\n", map[string]string{"A": "l1\nl2\n", "B": "x"}},
		{"multi-line double", "A=\"l1\nl2\"\n", map[string]string{"A": "l1\nl2"}},
		{"quoted then comment", "A='x' # c\n", map[string]string{"A": "x"}},
		{"unicode", "A=héllo 🌍\nB='ü\u00a0'\n", map[string]string{"A": "héllo 🌍", "B": "ü\u00a0"}},
		{"quote inside unquoted", "A=it's\n", map[string]string{"A": "it's"}},
		{"no variable expansion", "A=$HOME\nB=${X}\n", map[string]string{"A": "$HOME", "B": "${X}"}},
		{"byte order mark", "\ufeffA=1\n", map[string]string{"A": "1"}},
		{"comments and blanks", "# c\n\n   \n  # c2\nA=1\n", map[string]string{"A": "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("x.env", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Map(); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			if got := f.Bytes(); string(got) != tt.in {
				t.Fatalf("Bytes() = %q, want the input back", got)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		msg      string
	}{
		{"no equals", "A=1\nJUSTTEXTs3cr3t\n", 2, `expected KEY=value, found a line without '='`},
		{"bad key", "A=1\n\n1ABCs3cr3t=x\n", 3, `invalid key before '='`},
		{"dash key", "MY-KEYs3cr3t=x\n", 1, `invalid key before '='`},
		{"empty key", "=xs3cr3t\n", 1, `invalid key before '='`},
		{"unterminated single", "A=1\nB='abc\nC=2\n", 2, "unterminated '-quoted value of B"},
		{"unterminated double", "B=\"abc\\\"\n", 1, "unterminated \"-quoted value of B"},
		{"garbage after quote", "A=1\nB='x\ny's3cr3t\n", 3, `unexpected text after the closing quote of B's value`},
		{"duplicate", "A=1\n# c\nA=2\n", 3, "duplicate key A (first set on line 1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("in.env", []byte(tt.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a ParseError", err)
			}
			if pe.Line != tt.line || !strings.Contains(pe.Msg, tt.msg) || pe.File != "in.env" {
				t.Fatalf("err = %v, want line %d with %q", err, tt.line, tt.msg)
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Fatalf("error %q shows the file's content", err)
			}
			if !strings.HasPrefix(err.Error(), "in.env:") {
				t.Fatalf("error %q lacks the file name", err)
			}
		})
	}
}

// TestQuoteRoundTrip: whatever the value, Format then Parse gives it back.
func TestQuoteRoundTrip(t *testing.T) {
	values := []string{"", "x", " lead", "trail ", "a b", "#hash", "a #b", "it's", `say "hi"`, `back\slash`,
		"new\nline", "cr\r\nlf", "tab\there", "'", `"`, `\`, "$HOME", "${X}", "`cmd`", "é🌍", "=", "a=b", "\x01ctl", "'\n\"\\"}
	r := rand.New(rand.NewSource(1))
	alphabet := []byte("ab =#'\"\\\n\r\t$`é")
	for i := 0; i < 2000; i++ {
		n := r.Intn(12)
		var b []byte
		for j := 0; j < n; j++ {
			b = append(b, alphabet[r.Intn(len(alphabet))])
		}
		values = append(values, string(b))
	}
	for _, v := range values {
		line := Format("K", v)
		f, err := Parse("", []byte(line+"NEXT=1\n"))
		if err != nil {
			t.Fatalf("Format(%q) = %q does not parse: %v", v, line, err)
		}
		if got, _ := f.Get("K"); got != v {
			t.Fatalf("Format(%q) = %q reads back as %q", v, line, got)
		}
		if got, _ := f.Get("NEXT"); got != "1" {
			t.Fatalf("Format(%q) = %q swallowed the next line", v, line)
		}
	}
}

// TestEditGolden edits a file with comments, quotes and multi-line values:
// untouched lines keep their exact bytes.
func TestEditGolden(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "edit.env"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse("edit.env", in)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"DB_PASSWORD": "s3cr3t with spaces",
		"API_TOKEN":   "line1\nline2 \"quoted\" \\ back",
		"PEM":         "-----BEGIN KEY-----\nabc=\n-----END KEY-----",
		"PLAIN":       "abc=def",
		"HASHY":       "a#b",
		"UNI":         "héllo wörld 🌍",
		"EMPTY":       "",
		"INDENTED":    "value",
	}
	if got := f.Map(); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	if !bytes.Equal(f.Bytes(), in) {
		t.Fatal("unedited file does not round-trip byte for byte")
	}
	if f.Set("PLAIN", "abc=def") {
		t.Fatal("setting the same value reported a change")
	}
	f.Set("DB_PASSWORD", "new'pass")
	f.Set("PLAIN", "two words")
	f.Unset("HASHY")
	f.Set("ADDED", "multi\nline")
	got := f.Bytes()
	golden := filepath.Join("testdata", "edit.golden.env")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wantB, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, wantB) {
		t.Fatalf("edited file:\n%s\nwant:\n%s", got, wantB)
	}
	g, err := Parse("edited", got)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := g.Get("DB_PASSWORD"); v != "new'pass" {
		t.Fatalf("DB_PASSWORD = %q", v)
	}
	if v, _ := g.Get("ADDED"); v != "multi\nline" {
		t.Fatalf("ADDED = %q", v)
	}
	if g.Line("ADDED") != 12 {
		t.Fatalf("ADDED on line %d", g.Line("ADDED"))
	}
}

func TestSetAppendsNewlineToLastLine(t *testing.T) {
	f, err := Parse("", []byte("A=1"))
	if err != nil {
		t.Fatal(err)
	}
	f.Set("B", "2")
	if got := string(f.Bytes()); got != "A=1\nB=2\n" {
		t.Fatalf("got %q", got)
	}
}

func TestValidKey(t *testing.T) {
	for k, want := range map[string]bool{"A": true, "_x9": true, "DB_PASSWORD": true, "9A": false, "A-B": false, "A.B": false, "": false, "é": false, "A B": false} {
		if ValidKey(k) != want {
			t.Errorf("ValidKey(%q) != %v", k, want)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	var src strings.Builder
	for i := 0; i < 100; i++ {
		src.WriteString(Format("KEY_"+strings.Repeat("X", i%7), "value with 'quotes' and \"more\"\nsecond line"))
		src.WriteString("# comment\n")
	}
	data := []byte(src.String())
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		if _, err := Parse("bench.env", data); err != nil && !strings.Contains(err.Error(), "duplicate") {
			b.Fatal(err)
		}
	}
}
