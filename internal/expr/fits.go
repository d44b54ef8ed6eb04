package expr

import "strings"

// Fits reports whether the expression src can read the bare name as a
// value of JSON type have ("string", "integer", "number", "boolean"), as
// the checker sees it. When it cannot, want says what src uses the name
// as ("a number", "a string", "true or false"). Other names are left to
// the run: only a mismatch the checker can pin on name counts.
func Fits(src, name, have string) (want string, ok bool) {
	if overloadOK(src, name, have) {
		return "", true
	}
	for _, t := range []struct{ typ, phrase string }{{"number", "a number"}, {"string", "a string"}, {"boolean", "true or false"}} {
		if t.typ != have && overloadOK(src, name, t.typ) {
			return t.phrase, false
		}
	}
	return "", true // no type fits better: leave it to the run
}

// overloadOK reports whether src type-checks without an overload error
// when name has type typ.
func overloadOK(src, name, typ string) bool {
	env, err := NewEnv([]Decl{{Name: name, Type: typ}})
	if err != nil {
		return true
	}
	_, iss := env.Check(src)
	for _, is := range iss {
		if strings.Contains(is.Message, "no matching overload") {
			return false
		}
	}
	return true
}
