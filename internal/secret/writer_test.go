package secret

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// alphabet is small so that random secrets overlap, share prefixes and
// contain one another; it has regex metacharacters, a multi-byte rune,
// newlines and the mask's own star.
var alphabet = []string{"a", "b", "c", ".", "*", "$", "\\", "é", "\n", " "}

func randText(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteString(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

// randStream mixes secrets, pieces of secrets and noise.
func randStream(r *rand.Rand, secrets []string) string {
	var b strings.Builder
	for range r.IntN(30) {
		switch s := secrets[r.IntN(len(secrets))]; r.IntN(4) {
		case 0:
			b.WriteString(s)
		case 1:
			b.WriteString(s[:r.IntN(len(s)+1)])
		case 2:
			b.WriteString(s[r.IntN(len(s)+1):])
		default:
			b.WriteString(randText(r, r.IntN(6)))
		}
	}
	return b.String()
}

func randSecrets(r *rand.Rand) []string {
	out := make([]string, 1+r.IntN(4))
	for i := range out {
		out[i] = randText(r, 1+r.IntN(8))
	}
	if r.IntN(4) == 0 {
		out = append(out, strings.Repeat("long-secret-", 1+r.IntN(20)))
	}
	return out
}

// chunks cuts s at random byte offsets (inside runes too, as pipes do).
func chunks(r *rand.Rand, s string) []string {
	var out []string
	for len(s) > 0 {
		n := 1 + r.IntN(min(len(s), 1+r.IntN(12)))
		out = append(out, s[:n])
		s = s[n:]
	}
	return out
}

// TestWriterMasksAcrossWrites: whatever the secrets and however a stream
// is cut into writes, what a Writer passes on is what Mask makes of the
// whole stream, and holds no secret.
func TestWriterMasksAcrossWrites(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		secrets := randSecrets(r)
		m := &Masker{}
		m.Add(secrets...)
		stream := randStream(r, secrets)
		var out bytes.Buffer
		w := NewWriter(m, &out)
		parts := chunks(r, stream)
		for _, c := range parts {
			if n, err := w.Write([]byte(c)); n != len(c) || err != nil {
				t.Fatalf("Write = %d, %v", n, err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		want := m.matcher().mask(stream) // Mask without the rule for cut tails: a stream starts at its start
		if out.String() != want {
			t.Fatalf("case %d: secrets %q, writes %q:\n got %q\nwant %q", i, secrets, parts, out.String(), want)
		}
		for _, s := range secrets {
			if !strings.Contains(s, "*") && strings.Contains(out.String(), s) {
				t.Fatalf("case %d: secret %q in the output %q (writes %q)", i, s, out.String(), parts)
			}
		}
	}
}

// TestWriterHoldsOnlyWhatCouldBeASecret: a write is passed on at once,
// except for an end that could begin a secret.
func TestWriterHoldsOnlyWhatCouldBeASecret(t *testing.T) {
	t.Parallel()
	m := &Masker{}
	m.Add("hunter22", "abc")
	var out bytes.Buffer
	w := NewWriter(m, &out)
	steps := []struct{ write, out string }{
		{"x abc", "x ***"}, // a whole secret, which no longer one begins, goes at once
		{"\n", "x ***\n"},
		{"password: hun", "x ***\npassword: "},
		{"ter", "x ***\npassword: "},
		{"22 ok\n", "x ***\npassword: *** ok\n"},
		{"hunt", "x ***\npassword: *** ok\n"},
		{"ing\n", "x ***\npassword: *** ok\nhunting\n"},
		{"hunter22", "x ***\npassword: *** ok\nhunting\n***"},
		{"hunter2", "x ***\npassword: *** ok\nhunting\n***"},
	}
	for _, s := range steps {
		w.Write([]byte(s.write))
		if out.String() != s.out {
			t.Fatalf("after %q: passed on %q, want %q", s.write, out.String(), s.out)
		}
	}
	w.Flush()
	if got, want := out.String(), "x ***\npassword: *** ok\nhunting\n***hunter2"; got != want {
		t.Errorf("after Flush: %q, want %q", got, want)
	}
}

func TestWriterWithoutSecrets(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	w := NewWriter(nil, &out)
	w.Write([]byte("abc"))
	if out.String() != "abc" {
		t.Errorf("got %q", out.String())
	}
	m := &Masker{}
	w = NewWriter(m, &out)
	w.Write([]byte("d"))
	m.Add("xyz") // a secret known later is masked from then on
	w.Write([]byte("xy"))
	w.Write([]byte("z"))
	w.Flush()
	if out.String() != "abcd***" {
		t.Errorf("got %q", out.String())
	}
}

// TestSplitMasksAsMaskDoes: Split cuts exactly where Mask masks, and Join
// puts the text back together.
func TestSplitMasksAsMaskDoes(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 2000 {
		vals := randSecrets(r)
		secrets := map[string]string{}
		m := &Masker{}
		for k, v := range vals {
			secrets[string(rune('A'+k))] = v
			m.Add(v)
		}
		s := randStream(r, vals)
		segs := Split(s, secrets)
		var masked strings.Builder
		for _, sg := range segs {
			if sg.Name != "" {
				masked.WriteString(Mask)
			} else {
				masked.WriteString(sg.Text)
			}
		}
		if want := m.matcher().mask(s); masked.String() != want {
			t.Fatalf("case %d: secrets %q in %q: split masks as %q, Mask gives %q", i, secrets, s, masked.String(), want)
		}
		back, err := Join(segs, secrets)
		if err != nil || back != s {
			t.Fatalf("case %d: Join = %q, %v, want %q", i, back, err, s)
		}
	}
}

func FuzzWriter(f *testing.F) {
	f.Add("hunter22", "pass hunter22 ok", uint64(7))
	f.Add("a\nbcd", "xa\nbcdbcd", uint64(1))
	f.Fuzz(func(t *testing.T, secret, stream string, seed uint64) {
		m := &Masker{}
		m.Add(secret)
		var out bytes.Buffer
		w := NewWriter(m, &out)
		for _, c := range chunks(rand.New(rand.NewPCG(seed, seed)), stream) {
			w.Write([]byte(c))
		}
		w.Flush()
		if want := m.matcher().mask(stream); out.String() != want {
			t.Fatalf("got %q, want %q", out.String(), want)
		}
	})
}

// BenchmarkMask compares the masker with strings.Replacer, which it
// replaced, on a command's 64 KiB output with three secrets.
func BenchmarkMask(b *testing.B) {
	secrets := []string{"hunter22", "ghp_0123456789abcdefghijABCDEFGHIJ", "s3cr3t-value"}
	line := "2026-01-01T00:00:00Z INFO request served path=/api/v1/items status=200 took=3ms\n"
	text := strings.Repeat(line, (64<<10)/len(line)) + "token hunter22\n"
	b.Run("masker", func(b *testing.B) {
		m := &Masker{}
		m.Add(secrets...)
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			m.Mask(text)
		}
	})
	b.Run("strings.Replacer", func(b *testing.B) {
		r := strings.NewReplacer(secrets[1], Mask, secrets[2], Mask, secrets[0], Mask)
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			r.Replace(text)
		}
	})
}
