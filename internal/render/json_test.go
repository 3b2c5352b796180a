package render

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestEscapeFormatRunes(t *testing.T) {
	in := []byte(`{"a":"rtl ` + "\u202e" + ` tag ` + "\U000E0001" + ` c1 ` + "\u0085" + ` ok é"}`)
	want := `{"a":"rtl \u202e tag \udb40\udc01 c1 \u0085 ok é"}`
	if got := string(EscapeFormatRunes(in)); got != want {
		t.Errorf("EscapeFormatRunes = %s, want %s", got, want)
	}
}

// FuzzJSONDocument checks that any process-controlled string gives a
// valid JSON document that decodes back to the string (with U+FFFD for
// each byte that is not UTF-8) and shows no raw control or format rune.
func FuzzJSONDocument(f *testing.F) {
	f.Add("evil\x1b]0;pwned\x07\xff\u202e\U000E0001")
	f.Fuzz(func(t *testing.T, s string) {
		var buf bytes.Buffer
		if err := writeDocument(&buf, []object{{{"command", s}}}); err != nil {
			t.Fatal(err)
		}
		var doc struct{ Namespaces []struct{ Command string } }
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatalf("invalid JSON for %q: %v\n%s", s, err, buf.Bytes())
		}
		// Converting to runes turns each invalid byte into U+FFFD, as
		// encoding/json does.
		if got, want := doc.Namespaces[0].Command, string([]rune(s)); got != want {
			t.Errorf("%q decoded as %q, want %q", s, got, want)
		}
		for _, r := range buf.String() {
			if (r < 0x20 && r != '\n') || unsafeRune(r) {
				t.Fatalf("raw %U in the JSON for %q", r, s)
			}
		}
	})
}
