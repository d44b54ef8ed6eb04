package secret

import (
	"errors"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		value string
		ok    bool
	}{
		{"", true}, // nothing to hide
		{"q", false},
		{"q7", false},
		{"é", false},  // one character, two bytes
		{"日", false},  // one character, three bytes
		{"日本", false}, // two characters, six bytes
		{"q7$", true},
		{"日本語", true},
		{"hunter22", true},
	} {
		err := Check(tt.value)
		if (err == nil) != tt.ok {
			t.Errorf("Check(%q) = %v, want ok=%v", tt.value, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrTooShort) {
			t.Errorf("Check(%q) = %v, want ErrTooShort", tt.value, err)
		}
	}
}

func TestMask(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		secrets []string
		in      string
		want    string
	}{
		{"none", nil, "a b c", "a b c"},
		{"three bytes", []string{"q7$"}, "x q7$ y", "x *** y"},
		{"every length to eight", []string{"abcd", "bcdef1", "c2345678"}, "abcd bcdef1 c2345678", "*** *** ***"},
		{"one and two characters too", []string{"q", "z7"}, "q z7 zq", "*** *** z***"},
		{"every place", []string{"tok"}, "toktok-tok", "******-***"},
		{"the longer of two wins", []string{"abc", "abcdef"}, "abcdefabc", "******"},
		{"leftmost wins", []string{"abcd", "cdef"}, "abcdef", "***ef"},
		{"regex metacharacters are text", []string{`.*+?[x](|)^$\`}, `a.*+?[x](|)^$\b a.b`, "a***b a.b"},
		{"unicode", []string{"pässwörd", "秘密の鍵"}, "pässwörd=秘密の鍵!", "***=***!"},
		{"multi-line: whole and each line", []string{"line-one\nline-two\nxy"}, "line-one\nline-two\nxy | line-two | xy", "*** | *** | xy"},
		{"CRLF lines", []string{"first\r\nsecond"}, "first\nsecond", "***\n***"},
		{"a cut tail: the secret's end after …", []string{"hunter22"}, "…ter22 done hunter22", "…*** done ***"},
		{"a cut tail whose start is a whole secret", []string{"abab"}, "…abab!", "…***!"},
		{"… elsewhere is text", []string{"hunter22"}, "x…ter22", "x…ter22"},
		{"a cut tail with no secret in it is left alone", []string{"hunter22"}, "…plain text", "…plain text"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := &Masker{}
			m.Add(tt.secrets...)
			if got := m.Mask(tt.in); got != tt.want {
				t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMaskerZeroAndNil(t *testing.T) {
	t.Parallel()
	var nilM *Masker
	if nilM.Mask("x") != "x" || !nilM.Empty() {
		t.Error("a nil masker masks nothing")
	}
	m := &Masker{}
	if !m.Empty() || m.Mask("abc") != "abc" {
		t.Error("the zero masker masks nothing")
	}
	m.Add("")
	if !m.Empty() {
		t.Error("an empty secret is nothing to mask")
	}
	m.Add("abc")
	if m.Empty() || m.Mask("xabcx") != "x***x" {
		t.Errorf("after Add: %q", m.Mask("xabcx"))
	}
}

func TestShortLinesOfMultiLineSecrets(t *testing.T) {
	t.Parallel()
	m := &Masker{}
	m.Add("-----BEGIN-----\nab\nabc\n-----END-----")
	got := m.Mask("ab abc")
	// A line of two characters alone is not masked (it would garble
	// everything); one of three is.
	if got != "ab ***" {
		t.Errorf("got %q, want %q", got, "ab ***")
	}
}

func TestAny(t *testing.T) {
	t.Parallel()
	m := &Masker{}
	m.Add("s3cr3t")
	in := map[string]any{"a": "x s3cr3t", "n": 3, "l": []any{"s3cr3t", map[string]string{"k": "s3cr3t!"}}}
	got := m.Any(in).(map[string]any)
	l := got["l"].([]any)
	if got["a"] != "x ***" || got["n"] != 3 || l[0] != "***" || l[1].(map[string]string)["k"] != "***!" {
		t.Errorf("got %v", got)
	}
	if in["a"] != "x s3cr3t" {
		t.Error("Any must copy, not change its argument")
	}
}

func TestSplitJoin(t *testing.T) {
	t.Parallel()
	secrets := map[string]string{"TOKEN": "tok3n", "KEY": "line1\nline2", "SAME": "tok3n"}
	segs := Split("a=tok3n;line2;b", secrets)
	want := []Segment{{Text: "a="}, {Name: "SAME"}, {Text: ";"}, {Name: "KEY", Line: 2}, {Text: ";b"}}
	if len(segs) != len(want) {
		t.Fatalf("Split = %+v, want %+v", segs, want)
	}
	for i := range want {
		if segs[i] != want[i] {
			t.Errorf("segment %d = %+v, want %+v", i, segs[i], want[i])
		}
	}
	if !HasSecret(segs) || HasSecret(Split("plain", secrets)) {
		t.Error("HasSecret")
	}
	got, err := Join(segs, map[string]string{"SAME": "new", "KEY": "l1\nl2\r"})
	if err != nil || got != "a=new;l2;b" {
		t.Errorf("Join = %q, %v", got, err)
	}
	if _, err := Join(segs, map[string]string{"KEY": "x\ny"}); err == nil || !strings.Contains(err.Error(), "SAME") {
		t.Errorf("Join without SAME: %v", err)
	}
	if _, err := Join(segs, map[string]string{"SAME": "x", "KEY": "one line"}); err == nil {
		t.Error("Join with a line that is gone must fail")
	}
	if s := Split("", secrets); len(s) != 1 || s[0].Text != "" {
		t.Errorf("Split of empty: %+v", s)
	}
	for _, tt := range []struct {
		in      string
		secrets map[string]string
		want    []Segment
	}{
		// No empty text around secrets that begin, end or touch.
		{"tok3ntok3n", secrets, []Segment{{Name: "SAME"}, {Name: "SAME"}}},
		// A value that is a whole secret and a line of another is the
		// whole secret, whichever name sorts first.
		{"x line2 y", map[string]string{"A": "line1\nline2", "B": "line2"}, []Segment{{Text: "x "}, {Name: "B"}, {Text: " y"}}},
		{"x line2 y", map[string]string{"B": "line1\nline2", "A": "line2"}, []Segment{{Text: "x "}, {Name: "A"}, {Text: " y"}}},
	} {
		got := Split(tt.in, tt.secrets)
		if len(got) != len(tt.want) {
			t.Errorf("Split(%q) = %+v, want %+v", tt.in, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("Split(%q) = %+v, want %+v", tt.in, got, tt.want)
				break
			}
		}
	}
}

// TestMaskURLEncoded: a secret placed in a URL is percent-encoded there;
// that form is masked too.
func TestMaskURLEncoded(t *testing.T) {
	var m Masker
	m.Add("p@ss w/rd")
	got := m.Mask("GET https://h/x?token=p%40ss%20w%2Frd&n=1")
	if strings.Contains(got, "p%40ss") || !strings.Contains(got, "token=***&n=1") {
		t.Errorf("masked to %q", got)
	}
}
